/* specimage: a run's spec (struct sbx_spec) as one relocatable block of
 * memory, for a box whose PID 1 was started before the run was known
 * (standby.c) and so cannot read the spec from a copy of the server's
 * memory.
 *
 * The server packs the spec into a sealed memfd: the spec struct first,
 * then its arrays and every string and byte it points to, each pointer
 * stored as an offset from the start of the block (0 = NULL). PID 1 maps
 * the memfd privately and turns the offsets back into pointers in place.
 * binds and overlays are not carried: a standby box mounted them before
 * the run (they are part of what makes a standby fit a run). An artifact
 * travels as its descriptor, attached to the message beside the memfd;
 * the block carries its size and a placeholder the receiver fills. */
#ifndef CODEEXEC_SPECIMAGE_H
#define CODEEXEC_SPECIMAGE_H

#include <stddef.h>

#include "../util/err.h"
#include "sandbox.h"

/* A sealed, close-on-exec memfd holding spec's image, and its length in
 * *size; -1 with e set on failure. */
int specimage_pack(const struct sbx_spec *spec, size_t *size, struct err *e);

/* In PID 1 (only system calls and libc functions that neither lock nor
 * allocate): maps the image in fd (size bytes), relocates it and returns
 * the spec inside it, with artifact_fd as its artifact's descriptor when
 * it has one; NULL with e set when the image is malformed. */
struct sbx_spec *specimage_map(int fd, size_t size, int artifact_fd, struct err *e);

/* The same on a block already in memory (writable, size bytes): for tests
 * and specimage_map. */
struct sbx_spec *specimage_relocate(void *block, size_t size, int artifact_fd, struct err *e);

#endif
