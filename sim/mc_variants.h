/* mc_variants.h: a variant of the scenario against its base, on common
 * random numbers (mc_variants.c). */
#ifndef MC_VARIANTS_H
#define MC_VARIANTS_H

#include <stddef.h>

#include "mc_run.h"
#include "mc_scenario.h"

/* Compares a variant (run as vrun) with its base (brun): both must have
 * the same seed and samples.  Streams both again, in parallel, with
 * results identical at any thread count and, over several processes (red
 * not NULL), on every process the one-process result.  Returns 0, or -1
 * with msg. */
/* The differences of a variant against its base, for a caller that
 * draws both scenarios' blocks (mc_engine_run_group, mc_variant_compare):
 * per output, D = V - B's block summaries merged in block order, its
 * exact quantiles (mc_qs) and the counts below both medians, so that the
 * result is identical at any thread or process count.
 *
 * The calls, in order: mc_pair_new (lanes: threads; NULL if out of
 * memory); mc_pair_pilot with the first mc_pair_pilot_len samples of
 * both, then mc_pair_plan; for each pass mc_pair_begin, every block's
 * mc_pair_block (first: pass 1, whose blocks are pushed in block order
 * with mc_pair_push) and mc_pair_end, while pass 1 is not done or
 * mc_pair_more; once mc_pair_medians has the medians, every block's
 * mc_pair_count, in any pass; mc_pair_finish.  Each returns 0 or -1 (out
 * of memory, with msg where it takes one).
 *
 * A caller whose medians are not known yet may count in a pass it runs
 * anyway: after mc_pair_brackets (bounds on each median, mc_qs_bracket)
 * mc_pair_count places what it can and keeps the few samples inside a
 * bracket; mc_pair_medians then places them and returns 1, or, if they
 * were too many or a median fell outside its bracket, clears the counts
 * and returns 0: every block's mc_pair_count is still to come.  With
 * several processes that answer is agreed (a collective step: every
 * process calls it, in the same order). */
typedef struct mc_pair mc_pair;
/* same (NULL: none): by output id, the outputs the variant computes
 * from what it draws alike with the base (mc_model_same), equal to the
 * base's at every sample: their D is 0 throughout, whose quantiles are
 * 0 without a stream of their own (mc_pair_finish checks its summary). */
mc_pair *mc_pair_new(const mc_layout *lay, size_t n, int lanes,
                     const mc_reducer *red, const unsigned char *same);
void mc_pair_free(mc_pair *p);
size_t mc_pair_pilot_len(const mc_pair *p);
void mc_pair_pilot(mc_pair *p, const double *const b[MC_NCOLS],
                   const double *const v[MC_NCOLS], size_t len);
int mc_pair_plan(mc_pair *p);
int mc_pair_more(const mc_pair *p);
int mc_pair_begin(mc_pair *p);
void mc_pair_block(mc_pair *p, int lane, const double *const b[MC_NCOLS],
                   const double *const v[MC_NCOLS], size_t len, int first);
int mc_pair_push(mc_pair *p, int lane, size_t block);
int mc_pair_end(mc_pair *p, int first, char *msg, size_t len);
int mc_pair_medians(mc_pair *p, const double *med_b, const double *med_v);
/* The unsure samples a thread may keep (default MC_PAIR_UNSURE_MAX, of
 * at most MC_PAIR_UNSURE_BYTES each; 0: none, so that brackets always
 * fall back to counting again; for tests). */
#define MC_PAIR_UNSURE_MAX ((size_t)1 << 18)
#define MC_PAIR_UNSURE_BYTES 24
void mc_pair_unsure_max(size_t max);
void mc_pair_brackets(mc_pair *p, const double *blo, const double *bhi,
                      const double *vlo, const double *vhi);
void mc_pair_count(mc_pair *p, int lane, const double *const b[MC_NCOLS],
                   const double *const v[MC_NCOLS], size_t len);
/* bstats, vstats: the base's and the variant's summaries (by output id). */
int mc_pair_finish(mc_pair *p, const mc_stats *bstats, const mc_stats *vstats,
                   mc_variant_diff *out);
/* 0, or -1 with msg: the variant cannot be compared with the base (other
 * outputs, another seed). */
int mc_pair_check(const mc_scenario *base, const mc_scenario *variant,
                  char *msg, size_t len);

int mc_variant_compare(const mc_scenario *base, const mc_run *brun,
                       const mc_scenario *variant, const mc_run *vrun,
                       int threads, const mc_reducer *red,
                       mc_variant_diff *out, char *msg, size_t len);

#endif
