/* The scores of an inspection round (docs/standards.md "Scores"; arithmetic in core/scoring.h):
 * from each sampled site's latest inspection in the round, per site, district, 包保 unit,
 * site type or standard item, and for the city; and the city's score across rounds. */
#ifndef WM_SCORES_H
#define WM_SCORES_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

enum score_group { SCORE_SITE, SCORE_DISTRICT, SCORE_UNIT, SCORE_TYPE, SCORE_ITEM };

/* "site", "district", … → *g; -1 when unknown. */
int score_group_parse(const char *s, enum score_group *g);

/* {round, group, city: {score, kept, applicable, …}, rows: [{key, label, score, kept,
 * applicable, lost, passed, failed, na, deduct_failed, veto_failed, sites}]}: rows weakest
 * first (most points lost for items, lowest score otherwise; no score last). ERR_NOT_FOUND for
 * an unknown round. */
int round_scores_json(struct db *db, int64_t round_id, enum score_group g, json_t **out,
                      struct err *e);

/* [{round, name, kind, starts_at, score, sites, …}] for every round, oldest first. */
int score_trend_json(struct db *db, json_t **out, struct err *e);

#endif
