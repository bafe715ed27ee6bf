#pragma once

// The c10d group behind a DistributedContext, for core/dist's own collectives. Internal: needs c10d's
// headers.

#define P2P_COMPAT_C10D
#include "core/common/torch_compat.h"
#include "core/dist/distributed_context.h"

namespace p2p {

compat::CollectiveGroup& processGroupOf(DistributedContext& context);

}  // namespace p2p
