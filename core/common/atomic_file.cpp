#include "core/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/common/error.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

void fsyncPath(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd < 0) throw Error("cannot open " + path + " to sync it: " + std::strerror(errno));
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0 && !directory) throw Error("cannot sync " + path + ": " + std::strerror(errno));
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::function<void(const std::string&)>& write) {
    static std::atomic<unsigned> counter{0};
    const fs::path target(path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string temporary =
        (folder / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                   std::to_string(counter++)))
            .string();
    try {
        write(temporary);
        fsyncPath(temporary, false);
        std::error_code ec;
        fs::rename(temporary, target, ec);
        if (ec) throw Error("cannot rename " + temporary + " to " + path + ": " + ec.message());
        fsyncPath(folder.string(), true);
    } catch (const Error&) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw;
    } catch (const std::exception& e) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw Error("cannot write " + path + ": " + e.what());
    }
}

}  // namespace p2p
