#pragma once

#include <stdexcept>
#include <string>

namespace p2p {

// The one exception type core throws for anything a user can cause (bad file, bad option, bad model).
// The message is written for the user: it names the file or option and the reason.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace p2p
