/* probe: learning each installed toolchain's version by running its
 * recipe's version_argv — in a sandbox like every other command, as
 * low-priority background jobs right after start-up. */
#ifndef CODEEXEC_PROBE_H
#define CODEEXEC_PROBE_H

/* Queues one probe per installed recipe that has a version_argv. */
void probe_versions(void);

#endif
