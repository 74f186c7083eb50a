/* mc_mtree.c: summaries merged along a fixed binary tree of blocks.
 *
 * Floating-point merges are not associative: merging blocks 0..9 one
 * after the other and merging 0..4 and 5..9 separately, then the two,
 * give different last bits.  Results that must not depend on how the
 * blocks were shared out (among threads, or among the processes of an
 * MPI run) therefore merge along one tree fixed by the block indices
 * alone: node (level l, index i) covers blocks i 2^l .. (i+1) 2^l - 1 and
 * is the merge of its two children.  Nodes arrive in block order; two
 * siblings on top of the stack merge at once (pairwise summation, so the
 * rounding error grows as log n, not n).  A process given any contiguous
 * range of blocks ends with the range's maximal complete nodes, and
 * pushing those, range after range, rebuilds exactly the nodes one
 * process would have built.
 */
#include <stdlib.h>
#include <string.h>

#include "mc_results.h"

#define MAX_NODES 130             /* two per level of a 64-bit index, + 2 */

struct mc_mtree {
    size_t bytes;
    mc_mtree_merge_fn merge;
    void *ctx;
    size_t top;                   /* nodes on the stack */
    size_t cap;                   /* payloads allocated (grows: the stack
                                     holds about log2 of the blocks) */
    int level[MAX_NODES];
    uint64_t index[MAX_NODES];
    unsigned char *payload;       /* MAX_NODES x bytes */
};

mc_mtree *mc_mtree_new(size_t payload_bytes, mc_mtree_merge_fn merge,
                       void *ctx)
{
    mc_mtree *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->bytes = payload_bytes;
    t->merge = merge;
    t->ctx = ctx;
    t->cap = 8;
    t->payload = malloc(t->cap * (payload_bytes > 0 ? payload_bytes : 1));
    if (t->payload == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

void mc_mtree_free(mc_mtree *t)
{
    if (t == NULL)
        return;
    free(t->payload);
    free(t);
}

static void *at(const mc_mtree *t, size_t k)
{
    return t->payload + k * t->bytes;
}

int mc_mtree_push(mc_mtree *t, int level, uint64_t index, const void *payload)
{
    if (t->top == MAX_NODES)
        return -1;
    if (t->top == t->cap) {
        size_t cap = 2 * t->cap < MAX_NODES ? 2 * t->cap : MAX_NODES;
        unsigned char *p = realloc(t->payload,
                                   cap * (t->bytes > 0 ? t->bytes : 1));
        if (p == NULL)
            return -2;
        t->payload = p;
        t->cap = cap;
    }
    t->level[t->top] = level;
    t->index[t->top] = index;
    memcpy(at(t, t->top), payload, t->bytes);
    t->top++;
    /* siblings: the same level, the left one at an even index */
    while (t->top >= 2) {
        size_t a = t->top - 2, b = t->top - 1;
        if (t->level[a] != t->level[b] || t->index[a] % 2 != 0 ||
            t->index[b] != t->index[a] + 1)
            break;
        t->merge(t->ctx, at(t, a), at(t, b));
        t->level[a]++;
        t->index[a] /= 2;
        t->top--;
    }
    return 0;
}

void mc_mtree_fold(const mc_mtree *t, void *out, void *scratch)
{
    if (t->top == 0)
        return;
    /* the nodes left on the stack are the tree's with the missing right
       parts empty: from the top, each is the right part of the one below */
    memcpy(out, at(t, t->top - 1), t->bytes);
    for (size_t k = t->top - 1; k-- > 0;) {
        memcpy(scratch, at(t, k), t->bytes);
        t->merge(t->ctx, scratch, out);
        memcpy(out, scratch, t->bytes);
    }
}

size_t mc_mtree_nodes(const mc_mtree *t)
{
    return t->top;
}

const void *mc_mtree_node(const mc_mtree *t, size_t k, int *level,
                          uint64_t *index)
{
    *level = t->level[k];
    *index = t->index[k];
    return at(t, k);
}

void mc_mtree_clear(mc_mtree *t)
{
    t->top = 0;
}

/* A node on the wire: its level and index, then its payload. */
typedef struct wire_head {
    uint64_t level, index;
} wire_head;

int mc_mtree_reduce(mc_mtree *t, const mc_reducer *red)
{
    if (red == NULL || red->nprocs <= 1)
        return 0;
    size_t each = sizeof(wire_head) + t->bytes;
    unsigned char *mine = malloc(t->top * each + 1);
    if (mine == NULL)
        return -2;
    for (size_t k = 0; k < t->top; k++) {
        wire_head h = {(uint64_t)t->level[k], t->index[k]};
        memcpy(mine + k * each, &h, sizeof h);
        memcpy(mine + k * each + sizeof h, at(t, k), t->bytes);
    }
    void *all = NULL;
    size_t *lens = NULL;
    int rc = red->gather(red->ctx, mine, t->top * each, &all, &lens);
    free(mine);
    if (rc != 0)
        return -2;
    /* every process's maximal nodes, process after process: block order */
    t->top = 0;
    const unsigned char *p = all;
    for (int q = 0; q < red->nprocs && rc == 0; q++) {
        if (lens[q] % each != 0)
            rc = -1;
        for (size_t k = 0; rc == 0 && k < lens[q] / each; k++) {
            wire_head h;
            memcpy(&h, p + k * each, sizeof h);
            rc = mc_mtree_push(t, (int)h.level, h.index,
                               p + k * each + sizeof h);
        }
        p += lens[q];
    }
    free(all);
    free(lens);
    return rc;
}
