/* What the data-file commands share (cmd_export.c, cmd_standards.c): opening the database,
 * printing an import's error list, and writing an export through a temporary file. */
#ifndef WM_CLI_DATA_IO_H
#define WM_CLI_DATA_IO_H

#include <stdio.h>

#include "cli/opts.h"
#include "lib/err.h"
#include "store/org_io.h"

struct db;

/* The database of --db (or the default); NULL after printing why. */
struct db *cli_open_db(const char *cmd, struct opt *opts);
/* Every error of a failed import as FILE:LINE: message, then a summary line. */
void cli_print_import_errors(const char *cmd, const char *file, const struct org_io_report *r);

typedef int (*cli_export_writer)(struct db *db, FILE *out, long *rows, const void *ctx,
                                 struct err *e);
/* Opens the database, writes to --out (a temporary file renamed when complete, or stdout),
 * reports "N noun written"; the exit status. */
int cli_write_export(const char *cmd, struct opt *opts, const char *noun, cli_export_writer write,
                     const void *ctx);

/* Parses an import's options (--help prints usage and about); the one positional argument
 * is the readable file. -1: exit with *status. */
int cli_import_args(const char *cmd, struct opt *opts, const char *usage, const char *about,
                    int argc, char **argv, const char **file, int *status);

/* An import's common part: opens --db, migrates, runs the importer on file, prints every
 * error of the file (or the failure); the caller prints its summary when 0 is returned. */
typedef int (*cli_importer)(struct db *db, const char *file, const void *ctx,
                            struct org_io_report *r, struct err *e);
int cli_import_run(const char *cmd, struct opt *opts, const char *file, cli_importer run,
                   const void *ctx, struct org_io_report *r);

/* The standards and sites sub-forms (cmd_standards.c). */
int standards_import_cmd(int argc, char **argv);
int sites_import_cmd(int argc, char **argv);
int plan_import_cmd(int argc, char **argv);
int creation_import_cmd(int argc, char **argv);
int sites_export_cmd(int argc, char **argv);

#endif
