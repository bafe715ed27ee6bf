#pragma once

// pix2pix train --nproc N: starts N ranks of this same command on this machine (for users without torchrun),
// each with torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1,
// MASTER_PORT = a free port), and watches them: when one fails, the others get timeoutSeconds to notice and
// save, then are killed. Returns the exit code of the first rank that failed, else 0.

namespace p2p::cli {

int launchLocalRanks(int nproc, int timeoutSeconds);

}  // namespace p2p::cli
