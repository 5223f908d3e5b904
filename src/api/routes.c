#include "api/routes.h"

#include "api/open311.h"
#include "api/staff.h"
#include "api/public_followup.h"
#include "api/staff_plans.h"
#include "api/staff_creation.h"
#include "api/staff_categories.h"
#include "api/staff_routing.h"
#include "api/public_survey.h"
#include "portal/portal.h"
#include "api/staff_rounds.h"
#include "api/staff_standards.h"
#include "api/staff_stats.h"

#define O311 (FMT_JSON | FMT_XML)
/* Public reads are served from the response cache for at most this long after another
 * instance's write (this instance's own writes invalidate at once, see http/cache.h). */
#define CACHE_MS 1000
/* The home page's weekly figures may be this old (a write makes them stale at once). */
#define HOME_CACHE_MS 5000
#define STAFF ROLE_STAFF
#define ADMIN ROLE_ADMIN
#define ORG_EDIT (ROLE_ADMIN | ROLE_OFFICE)

const struct route routes[] = {
    {"GET", "/healthz", 0, health_get, ROLE_PUBLIC, NULL, "Liveness and database check", 0},
    {"GET", "/api/v1/openapi.json", 0, openapi_get, ROLE_PUBLIC, NULL,
     "This API's OpenAPI 3.1 document", 0},
    /* The public portal: pages for citizens, without JavaScript or an account (issue 8). */
    {"GET", "/", FMT_HTML, portal_home, ROLE_PUBLIC, NULL, "The public portal's home page",
     HOME_CACHE_MS},
    {"GET", "/care", FMT_HTML, portal_care, ROLE_PUBLIC, portal_care_params,
     "Switch the elder-friendly mode (关怀版) on or off", 0},
    {"GET", "/report", FMT_HTML, portal_report_form, ROLE_PUBLIC, NULL,
     "Report a problem: the form", 0},
    {"POST", "/report", FMT_HTML, portal_report_post, ROLE_PUBLIC, portal_report_params,
     "Report a problem", 0},
    {"GET", "/cases", FMT_HTML, portal_cases, ROLE_PUBLIC, portal_cases_params,
     "Reported problems and their state, by district", 0},
    {"GET", "/track", FMT_HTML, portal_track_form, ROLE_PUBLIC, portal_track_params,
     "Follow a case: the tracking-code form", 0},
    {"GET", "/track/{code}", FMT_HTML, portal_track_case, ROLE_PUBLIC, portal_track_case_params,
     "A case's public page", 0},
    {"POST", "/track/{code}/rating", FMT_HTML, portal_track_rate, ROLE_PUBLIC,
     portal_track_rate_params, "Rate a closed case (the reporter, once)", 0},
    {"GET", "/console", 0, console_get, ROLE_PUBLIC, NULL, "The staff console", 0},
    {"GET", "/static/{dir}/{file}", 0, static_get, ROLE_PUBLIC, NULL,
     "A file of the console (module, style, vendor file)", 0},
    {"GET", "/static/{dir}/{sub}/{file}", 0, static_get, ROLE_PUBLIC, NULL,
     "A file of the console in a sub-folder", 0},
    {"GET", "/media/{name}", 0, media_get, ROLE_PUBLIC, NULL, "A stored photo or document", 0},
    {"POST", "/api/v1/media", 0, media_upload, STAFF, media_upload_params,
     "Store a photo or document for an inspection or progress report", 0},
    {"GET", "/open311/v2/discovery", O311, open311_discovery, ROLE_PUBLIC, NULL,
     "Open311 discovery", 0},
    {"GET", "/open311/v2/services", O311, open311_services, ROLE_PUBLIC,
     open311_jurisdiction_params, "Open311 service list (categories)", CACHE_MS},
    {"GET", "/open311/v2/services/{service_code}", O311, open311_service_definition, ROLE_PUBLIC,
     open311_jurisdiction_params, "Open311 service definition (attributes)", CACHE_MS},
    {"POST", "/open311/v2/requests", O311, open311_post_request, ROLE_PUBLIC, open311_post_params,
     "Report a problem", 0},
    {"GET", "/open311/v2/requests", O311, open311_get_requests, ROLE_PUBLIC, open311_query_params,
     "Search reported problems", CACHE_MS},
    {"GET", "/open311/v2/requests/{service_request_id}", O311, open311_get_request, ROLE_PUBLIC,
     open311_jurisdiction_params, "One reported problem", CACHE_MS},
    {"GET", "/open311/v2/tokens/{token}", O311, open311_get_token, ROLE_PUBLIC,
     open311_jurisdiction_params, "The request id for a submission token", 0},
    {"GET", "/api/v1/public/cases/{code}", 0, public_case_get, ROLE_PUBLIC, NULL,
     "A case as its reporter follows it: status, public timeline, deadline", CACHE_MS},
    {"GET", "/api/v1/public/surveys/{round}", 0, public_survey_get, ROLE_PUBLIC, NULL,
     "A round's questionnaire (问卷调查) for citizens", 0},
    {"POST", "/api/v1/public/surveys/{round}/answers", 0, public_survey_answer, ROLE_PUBLIC,
     public_survey_answer_params, "Answer a questionnaire, once per device or phone", 0},
    {"POST", "/api/v1/public/cases/{code}/rating", 0, public_case_rate, ROLE_PUBLIC,
     public_case_rate_params, "Rate a closed case once, with the submission token", 0},

    /* Login and the caller's own account. Logging in (and the TOTP step of a login) is
     * public by nature; everything else needs a session. */
    {"POST", "/api/v1/session", 0, session_login, ROLE_PUBLIC, session_login_params,
     "Log in (sets the session cookie)", 0},
    {"GET", "/api/v1/session", 0, session_me, STAFF, NULL, "The logged-in user and CSRF token", 0},
    {"DELETE", "/api/v1/session", 0, session_logout, ROLE_PUBLIC | STAFF, NULL, "Log out", 0},
    {"POST", "/api/v1/session/totp", 0, session_totp, ROLE_PUBLIC, session_totp_params,
     "Second factor of a login (TOTP code)", 0},
    {"POST", "/api/v1/me/password", 0, me_password, STAFF, me_password_params,
     "Change one's own password", 0},
    {"POST", "/api/v1/me/totp", 0, me_totp_begin, STAFF, NULL,
     "Start TOTP enrolment: a new secret and otpauth URI", 0},
    {"POST", "/api/v1/me/totp/confirm", 0, me_totp_confirm, STAFF, me_totp_confirm_params,
     "Finish TOTP enrolment with a code from the app", 0},

    /* People and sessions: admins. */
    {"GET", "/api/v1/users", 0, users_list, ADMIN, NULL, "Staff accounts", 0},
    {"POST", "/api/v1/users", 0, users_create, ADMIN, users_create_params, "Add a staff account",
     0},
    {"GET", "/api/v1/users/{id}", 0, users_get, ADMIN, NULL, "One staff account", 0},
    {"PATCH", "/api/v1/users/{id}", 0, users_update, ADMIN, users_update_params,
     "Change a staff account (name, unit, roles, active)", 0},
    {"POST", "/api/v1/users/{id}/password", 0, users_reset_password, ADMIN, users_password_params,
     "Set a new password for a staff account", 0},
    {"GET", "/api/v1/sessions", 0, sessions_list, ADMIN, NULL, "Live sessions", 0},
    {"DELETE", "/api/v1/sessions/{id}", 0, sessions_revoke, ADMIN, NULL, "End a session", 0},

    /* The organisation: all staff read, admins and the office edit. */
    {"GET", "/api/v1/units", 0, units_list, STAFF, NULL, "Units (the responsibility tree)", 0},
    {"POST", "/api/v1/units", 0, units_create, ORG_EDIT, units_create_params, "Add a unit", 0},
    {"GET", "/api/v1/units/{id}", 0, units_get, STAFF, NULL, "One unit", 0},
    {"PATCH", "/api/v1/units/{id}", 0, units_update, ORG_EDIT, units_update_params, "Change a unit",
     0},
    {"GET", "/api/v1/areas", 0, areas_list, STAFF, NULL,
     "Areas (districts, streets, grids) as GeoJSON", 0},
    {"GET", "/api/v1/areas/locate", 0, areas_locate, STAFF, areas_locate_params,
     "The areas holding a point, most specific first", 0},
    {"POST", "/api/v1/units/import", 0, units_import, ORG_EDIT, org_import_params,
     "Upload units (CSV), all or nothing", 0},
    {"POST", "/api/v1/areas/import", 0, areas_import, ORG_EDIT, org_import_params,
     "Upload areas (GeoJSON), all or nothing", 0},

    /* The category catalogue: all staff read, admins and the office edit. */
    {"GET", "/api/v1/categories", 0, categories_list, STAFF, NULL,
     "Every category, switched-off ones too", 0},
    {"POST", "/api/v1/categories", 0, categories_create, ORG_EDIT, categories_create_params,
     "Add a category", 0},
    {"PATCH", "/api/v1/categories/{service_code}", 0, categories_update, ORG_EDIT,
     categories_update_params, "Change or switch off a category", 0},

    /* Routing rules: all staff read, admins and the office edit; dispatchers ask. */
    {"GET", "/api/v1/routing-rules", 0, routing_rules_list, STAFF, NULL,
     "Routing rules (category × area → unit)", 0},
    {"POST", "/api/v1/routing-rules", 0, routing_rules_create, ORG_EDIT,
     routing_rules_create_params, "Add a routing rule", 0},
    {"PATCH", "/api/v1/routing-rules/{id}", 0, routing_rules_update, ORG_EDIT,
     routing_rules_update_params, "Change a routing rule", 0},
    {"DELETE", "/api/v1/routing-rules/{id}", 0, routing_rules_deactivate, ORG_EDIT, NULL,
     "Deactivate a routing rule", 0},
    {"GET", "/api/v1/routing/suggest", 0, routing_suggest_get,
     ROLE_DISPATCHER | ROLE_OFFICE | ROLE_ADMIN, routing_suggest_params,
     "The responsible unit for a category at a point", 0},

    /* Cases within the caller's reach. */
    {"GET", "/api/v1/cases", 0, cases_list, STAFF, cases_list_params,
     "Cases within the caller's reach, newest first", 0},
    {"GET", "/api/v1/cases/{code}", 0, cases_get, STAFF, NULL, "One case within reach", 0},
    {"POST", "/api/v1/cases", 0, cases_file, ROLE_INSPECTOR | ROLE_OFFICE | ROLE_DISPATCHER,
     cases_file_params, "File a case as staff, or one solved on the spot (现场解决)", 0},
    {"GET", "/api/v1/cases/{code}/timeline", 0, cases_timeline, STAFF, NULL,
     "A case's timeline, internal notes included", 0},
    {"POST", "/api/v1/cases/{code}/actions", 0, cases_act, STAFF, case_action_params,
     "Move a case (register, dispatch, handle, verify …) at the version the caller saw", 0},
    {"GET", "/api/v1/notifications", 0, notifications_list, STAFF, notifications_params,
     "The caller's notifications, newest first", 0},
    {"POST", "/api/v1/notifications/read-all", 0, notifications_read_all, STAFF, NULL,
     "Mark all of the caller's notifications read", 0},
    {"POST", "/api/v1/notifications/{id}/read", 0, notifications_read, STAFF, NULL,
     "Mark one notification read", 0},

    /* The figures (docs/figures.md), within the caller's reach. */
    {"GET", "/api/v1/stats", 0, stats_get, STATS_ROLES, stats_params,
     "Figures per unit, district, category or source over a period (JSON or CSV)", 0},
    {"GET", "/api/v1/stats/ranking", 0, stats_ranking, STATS_ROLES, stats_ranking_params,
     "Units by composite score with the red and black lists (红黑榜)", 0},
    {"GET", "/api/v1/stats/trend", 0, stats_trend_get, STATS_ROLES, stats_trend_params,
     "Cases reported, closed and overdue per day", 0},
    {"GET", "/api/v1/stats/hotspots", 0, stats_hotspots_get, STATS_ROLES, stats_hotspots_params,
     "Grid cells with the most cases reported in a period", 0},

    /* The action plan and its tasks (docs/plans.md). */
    {"GET", "/api/v1/plans", 0, plans_list, STAFF, NULL,
     "Action plans (行动方案), newest first, with their progress figures", 0},
    {"POST", "/api/v1/plans", 0, plans_create, ORG_EDIT, plans_create_params,
     "Issue an action plan", 0},
    {"GET", "/api/v1/plans/{id}", 0, plans_get, STAFF, NULL, "A plan with its task tree", 0},
    {"GET", "/api/v1/plans/{id}/progress", 0, plans_progress, STAFF, plans_progress_params,
     "A plan's progress per lead unit or key task (JSON or CSV)", 0},
    {"POST", "/api/v1/plans/{id}/tasks", 0, tasks_create, ORG_EDIT, tasks_create_params,
     "Add a key task or sub-task to a plan", 0},
    {"GET", "/api/v1/tasks", 0, tasks_list, STAFF, tasks_list_params,
     "Tasks within the caller's reach (lead or co-unit), leaf tasks only", 0},
    {"GET", "/api/v1/tasks/{id}", 0, tasks_get, STAFF, NULL,
     "One task: milestones, items, timeline with attachments, sub-tasks", 0},
    {"POST", "/api/v1/tasks/{id}", 0, tasks_edit, ORG_EDIT, tasks_edit_params,
     "Change a task (a new due date is 延期)", 0},
    {"POST", "/api/v1/tasks/{id}/reports", 0, tasks_report, ROLE_HANDLER | ORG_EDIT,
     tasks_report_params, "Report progress on a task, with attachments", 0},
    {"POST", "/api/v1/tasks/{id}/actions", 0, tasks_action, ROLE_HANDLER | ORG_EDIT,
     tasks_action_params, "Move a task: submit (申请销号), accept (销号), return, cancel, reopen",
     0},
    /* The evaluation standard and the sites (docs/standards.md). */
    {"GET", "/api/v1/site-types", 0, site_types_list, STAFF, NULL, "Site (点位) types", 0},
    {"GET", "/api/v1/standards", 0, standards_list, STAFF, NULL,
     "Versions of the evaluation standard (测评体系), newest first", 0},
    {"GET", "/api/v1/standards/{version}", 0, standards_get, STAFF, standards_get_params,
     "A version's tree (or `active`); with site_type, a site's checklist", 0},
    {"POST", "/api/v1/standards/{version}/activate", 0, standards_activate_post, ORG_EDIT, NULL,
     "Make a version the one new inspection rounds use", 0},
    {"GET", "/api/v1/sites", 0, sites_list, STAFF, sites_list_params,
     "Sites (点位) within the caller's reach", 0},
    {"POST", "/api/v1/sites", 0, sites_save, ORG_EDIT, sites_save_params,
     "Add or change a site by code", 0},
    {"GET", "/api/v1/sites/geojson", 0, sites_geojson_get, STAFF, sites_geojson_params,
     "Located sites as a GeoJSON FeatureCollection for the map", 0},
    {"GET", "/api/v1/sites/{code}", 0, sites_get, STAFF, NULL, "One site", 0},
    {"GET", "/api/v1/rounds", 0, rounds_list, STAFF, NULL,
     "Inspection rounds (督查 / 模拟测评), newest first", 0},
    {"GET", "/api/v1/inspectors", 0, inspectors_list, ROUND_EDIT, NULL,
     "The active inspectors a round can name", 0},
    {"POST", "/api/v1/rounds", 0, rounds_create, ROUND_EDIT, rounds_create_params,
     "Make an inspection round and draw its sites", 0},
    {"GET", "/api/v1/rounds/{id}", 0, rounds_get, STAFF, NULL,
     "A round: its plan, inspectors and sites with their last inspection", 0},
    {"POST", "/api/v1/rounds/{id}/close", 0, rounds_close, ROUND_EDIT, NULL,
     "Close a round: no more inspections or questionnaire answers", 0},
    {"GET", "/api/v1/rounds/{id}/sites/{code}", 0, rounds_site_checklist, STAFF, NULL,
     "A site's checklist in a round, with each item's last result and case", 0},
    {"GET", "/api/v1/rounds/{id}/scores", 0, rounds_scores, STAFF, rounds_scores_params,
     "A round's scores per site, district, unit, site type or item (JSON or CSV)", 0},
    {"GET", "/api/v1/scores/trend", 0, scores_trend, STAFF, NULL,
     "The city's score in every round, oldest first", 0},
    {"POST", "/api/v1/inspections", 0, inspections_submit, INSPECTS, inspections_submit_params,
     "Submit a finished inspection (idempotent by client_id); failures open cases", 0},
    {"GET", "/api/v1/inspections/{id}", 0, inspections_get, STAFF, NULL,
     "An inspection with its results and the cases opened", 0},

    /* Grassroots creation (基层创建, docs/creation.md). */
    {"GET", "/api/v1/creation-titles", 0, creation_titles_get, STAFF, NULL,
     "Creation titles (文明村镇, 文明社区 …) with the unit kinds they are for", 0},
    {"GET", "/api/v1/creations", 0, creations_list, STAFF, creations_list_params,
     "Creations within the caller's read scope (JSON or CSV)", 0},
    {"POST", "/api/v1/creations", 0, creations_declare, CREATION_WRITE, creations_declare_params,
     "Declare a title for a unit (申报)", 0},
    {"GET", "/api/v1/creations/coverage", 0, creations_coverage, STAFF, creations_coverage_params,
     "Counts and coverage by district × title (JSON or CSV)", 0},
    {"GET", "/api/v1/creations/{id}", 0, creations_get, STAFF, NULL,
     "A creation with its history and self-assessments", 0},
    {"GET", "/api/v1/creations/{id}/checklist", 0, creations_checklist, STAFF, NULL,
     "The items of a creation's self-assessment, with its latest results", 0},
    {"POST", "/api/v1/creations/{id}/actions", 0, creations_act, CREATION_WRITE,
     creations_act_params, "Move a creation (review, name, revoke, declare again)", 0},
    {"POST", "/api/v1/creations/{id}/assessments", 0, creations_assess, CREATION_WRITE,
     creations_assess_params, "Submit a whole self-assessment (idempotent by client_id)", 0},

    /* Open311 api keys and the audit trail: admins. */
    {"GET", "/api/v1/apikeys", 0, apikeys_list, ADMIN, NULL, "Open311 api keys", 0},
    {"POST", "/api/v1/apikeys", 0, apikeys_create, ADMIN, apikeys_create_params,
     "Make an api key (shown once) with its service scope", 0},
    {"DELETE", "/api/v1/apikeys/{id}", 0, apikeys_revoke, ADMIN, NULL, "Revoke an api key", 0},
    {"GET", "/api/v1/audit", 0, audit_list, ADMIN, audit_list_params,
     "The audit trail, newest first", 0},
    {"GET", "/api/v1/audit/verify", 0, audit_check, ADMIN, NULL,
     "Check the audit trail's hash chain", 0},
    {.method = NULL},
};
