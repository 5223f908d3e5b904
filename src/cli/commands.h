/* The `wenming` subcommands; each returns the process exit status. */
#ifndef WM_COMMANDS_H
#define WM_COMMANDS_H

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_apikey(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_standards(int argc, char **argv);

struct db;
struct err;
/* init --demo-users: the accounts of data/demo/users.csv that are missing, passwords printed. */
int demo_users_create(struct db *db, const char *data_dir, struct err *e);

/* Shared defaults: the database path and the media directory beside it. */
const char *cli_default_db(void);
/* Returns a malloc'd "<dir of db>/media" (caller frees). */
char *cli_media_dir_for(const char *db);
/* True when argv holds --help or -h. */
int cli_wants_help(int argc, char **argv);

#endif
