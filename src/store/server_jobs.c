/* The background jobs of `wenming serve` (see jobs.h). */
#include "store/escalate.h"
#include "store/jobs.h"
#include "store/media_store.h"
#include "store/plans.h"
#include "store/tally.h"

const struct job_def server_jobs[] = {
    {.name = "media_sweep", .period_s = 3600, .fn = media_sweep_job},
    {.name = "escalate", .period_s = 60, .fn = escalate_job},
    {.name = "tally_fold", .period_s = 60, .fn = tally_fold_job},
    {.name = "task_escalate", .period_s = 600, .fn = task_escalate_job},
    {.name = NULL},
};
