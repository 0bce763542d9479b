/* files: finding and reading the JSONL files of a test bank on disk.
 *
 * A --testbank PATH may be one JSONL file, a directory (every *.jsonl below
 * it, in sorted order, as one bank), or the Hugging Face hub's local cache of
 * a dataset (datasets--ORG--NAME, whose snapshots/<rev>/ holds the files;
 * refs/main names the revision), or the hub cache root itself when the bank
 * is named ORG/NAME. Parquet files are not read: there is no reasonable
 * parquet library for C in Debian, so they must be converted to JSONL first
 * (docs/testbanks.md); a path with only parquet files is an error saying so. */
#ifndef CODEEXEC_BANK_FILES_H
#define CODEEXEC_BANK_FILES_H

#include <stddef.h>

#include "../util/err.h"
#include "bank.h"
#include "jsonl.h"

/* Reads a whole file into a malloc'd, NUL-terminated buffer; NULL with e. */
char *bankfile_read(const char *path, size_t *len, struct err *e);

/* Loads every test under path into b (see above). name is the bank's name
 * (used to find datasets--ORG--NAME in a hub cache root). Counts add up in
 * st; *nfiles gets the number of files read. Errors name file:line. */
int bankfile_load_path(struct bank *b, const char *name, const char *path, struct jsonl_stats *st,
                       size_t *nfiles, struct err *e);

#endif
