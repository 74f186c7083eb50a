/* mc_model_impl.h: what mc_model.c shares with mc_model_curve.c and
 * nobody else sees (internal functions end in '_'). */
#ifndef MC_MODEL_IMPL_H
#define MC_MODEL_IMPL_H

#include "mc_model.h"

/* Sample x's traffic phases under lay (arrays of MC_MAX_PHASES): in holds
 * the input columns' values, by input id. */
void mc_phases_of_(const double *in, const mc_layout *lay, double *days,
                   double *growth, mc_phases *ph);

/* A footprint's training intensity over the inference site's, CI_t /
 * CI_i (or W): 0 where training's is 0, +inf where only the inference
 * site's is 0. */
double mc_intensity_ratio_(double t, double i);

/* I e^(g x), the level x days into a phase from level I; and I E(g, x),
 * the traffic of those x days (mc_model.c says how each keeps its
 * digits). */
double mc_level_after_(double I, double g, double x);
double mc_flow_(double I, double g, double x);

#endif
