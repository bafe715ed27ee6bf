#include "core/io/state_dict.h"

#include <map>
#include <sstream>

#include "core/common/error.h"

namespace p2p {

StateDict stateDictOf(const torch::nn::Module& module) {
    StateDict dict;
    for (const auto& item : module.named_parameters(true)) dict.emplace_back(item.key(), item.value());
    for (const auto& item : module.named_buffers(true)) dict.emplace_back(item.key(), item.value());
    return dict;
}

namespace {

std::string shapeString(const torch::Tensor& t) {
    std::ostringstream s;
    s << t.sizes();
    return s.str();
}

std::string listSome(const std::vector<std::string>& items, size_t limit = 12) {
    std::string out;
    for (size_t i = 0; i < items.size() && i < limit; ++i) out += "\n    " + items[i];
    if (items.size() > limit) out += "\n    ... and " + std::to_string(items.size() - limit) + " more";
    return out;
}

}  // namespace

void loadStateDict(torch::nn::Module& module, const StateDict& dict, const std::string& what) {
    std::map<std::string, torch::Tensor> source;
    std::vector<std::string> duplicates;
    for (const auto& [key, value] : dict)
        if (!source.emplace(key, value).second) duplicates.push_back(key);

    std::map<std::string, torch::Tensor> destination;
    for (const auto& [key, value] : stateDictOf(module)) destination.emplace(key, value);

    std::vector<std::string> missing, unexpected, conflicts, invalid;
    for (const auto& [key, dst] : destination) {
        auto it = source.find(key);
        if (it == source.end()) {
            missing.push_back(key + " " + shapeString(dst));
            continue;
        }
        const auto& src = it->second;
        if (!src.defined()) {
            invalid.push_back(key + " (undefined tensor)");
        } else if (src.sizes() != dst.sizes()) {
            conflicts.push_back(key + ": file has " + shapeString(src) + ", network expects " + shapeString(dst));
        } else if (src.is_floating_point() && !torch::isfinite(src).all().item<bool>()) {
            invalid.push_back(key + " (contains NaN or Inf)");
        } else if (src.is_floating_point() != dst.is_floating_point()) {
            invalid.push_back(key + " (dtype " + std::string(c10::toString(src.scalar_type())) + " where " +
                              c10::toString(dst.scalar_type()) + " is expected)");
        }
    }
    for (const auto& [key, src] : source)
        if (!destination.count(key)) unexpected.push_back(key + (src.defined() ? " " + shapeString(src) : ""));

    if (!missing.empty() || !unexpected.empty() || !conflicts.empty() || !invalid.empty() || !duplicates.empty()) {
        std::string message = what + " does not match the network; nothing was loaded.";
        if (!missing.empty()) message += "\n  missing keys (" + std::to_string(missing.size()) + "):" + listSome(missing);
        if (!unexpected.empty())
            message += "\n  unexpected keys (" + std::to_string(unexpected.size()) + "):" + listSome(unexpected);
        if (!conflicts.empty())
            message += "\n  shape conflicts (" + std::to_string(conflicts.size()) + "):" + listSome(conflicts);
        if (!invalid.empty()) message += "\n  invalid values (" + std::to_string(invalid.size()) + "):" + listSome(invalid);
        if (!duplicates.empty()) message += "\n  duplicate keys:" + listSome(duplicates);
        throw Error(message);
    }

    torch::NoGradGuard noGrad;
    for (auto& [key, dst] : destination) dst.copy_(source.at(key).to(dst.scalar_type()));
}

}  // namespace p2p
