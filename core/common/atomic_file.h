#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace p2p {

// Writes `path` so that a crash at any moment leaves either the old file or the complete new one:
// `write` fills a temporary file in the same folder, which is fsynced and renamed over `path`, and the
// folder is fsynced. Throws p2p::Error on failure and removes the temporary file.
void writeFileAtomically(const std::string& path, const std::function<void(const std::string& temporary)>& write);
// The same for bytes already in memory (an encoded image, a serialised model, a text): a failed write names the
// temporary file and the system's reason ("No space left on device").
void writeFileAtomically(const std::string& path, std::string_view bytes);

// Bytes of the regular files under `folder` (recursively); 0 for a missing folder. Never throws.
uint64_t folderBytes(const std::string& folder);
// "427 MB", "12.3 MB", "880 kB" (decimal units, as file managers show them).
std::string formatBytes(uint64_t bytes);

}  // namespace p2p
