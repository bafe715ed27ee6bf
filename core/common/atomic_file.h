#pragma once

#include <functional>
#include <string>

namespace p2p {

// Writes `path` so that a crash at any moment leaves either the old file or the complete new one:
// `write` fills a temporary file in the same folder, which is fsynced and renamed over `path`, and the
// folder is fsynced. Throws p2p::Error on failure and removes the temporary file.
void writeFileAtomically(const std::string& path, const std::function<void(const std::string& temporary)>& write);

}  // namespace p2p
