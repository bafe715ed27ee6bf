// pix2pix eval: core/eval/evaluator runs it (the training panel's "Evaluate on test split" runs the same);
// this command parses flags, draws progress on a terminal and prints the report as text or JSON.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "app/cli/command_registry.h"
#include "app/cli/device_flag.h"
#include "core/common/error.h"
#include "core/eval/evaluator.h"

namespace fs = std::filesystem;

namespace {

// A progress bar on stderr when it is a terminal; skipped pairs are named either way.
class TerminalProgress : public p2p::EvalObserver {
public:
    explicit TerminalProgress(bool quiet) : draw_(!quiet && isatty(STDERR_FILENO) != 0), quiet_(quiet) {}
    void onStarted(const p2p::EvalReport& r) override {
        for (const auto& note : r.notes) std::cerr << "note: " << note << "\n";  // also beside --json
        if (quiet_) return;
        std::cout << r.dataset_summary << "\n"
                  << "model:     " << r.model_name << " (" << r.generator << ") from " << r.model_path << " ["
                  << r.model_format << "]\n"
                  << "engine:    " << r.engine << ", norm statistics: " << r.norm_stats << "\n"
                  << "split:     " << (r.split.empty() ? "all (no split folders)" : r.split) << ", " << r.planned
                  << " pairs, " << r.direction << ", "
                  << (r.load_size > 0 ? std::to_string(r.load_size) + "px" : "native size") << "\n"
                  << std::flush;
    }
    void onPair(size_t done, size_t planned, const p2p::EvalPair&) override {
        const auto now = std::chrono::steady_clock::now();
        if (!draw_ || (std::chrono::duration<double>(now - lastDraw_).count() < 0.2 && done != planned)) return;
        const int width = 30, filled = static_cast<int>(double(done) / double(planned) * width);
        std::cerr << "\r\033[K[" << std::string(filled, '#') << std::string(width - filled, '-') << "] " << done << "/"
                  << planned << std::flush;
        if (done == planned) std::cerr << "\n";
        lastDraw_ = now;
    }
    void onSkipped(const p2p::SkippedFile& pair) override {
        if (draw_) std::cerr << "\r\033[K";
        std::cerr << "skipped " << pair.path << ": " << pair.reason << "\n";
    }

private:
    bool draw_, quiet_;
    std::chrono::steady_clock::time_point lastDraw_{};
};

void printReport(const p2p::EvalReport& r) {
    if (!r.unreadable.empty()) std::cout << "skipped " << r.unreadable.size() << " pair(s) that could not be decoded:\n";
    for (const auto& s : r.unreadable) std::cout << "  " << s.path << ": " << s.reason << "\n";
    for (const std::string& line : r.scoreLines()) std::cout << line << "\n";
    if (r.label_consistency) std::cout << "protocol: " << r.label_consistency->protocol << "\n";
    if (!r.gallery_index.empty()) std::cout << "gallery: " << r.gallery_index << "\n";
}

std::function<int()> addEvalCommand(CLI::App& app) {
    auto f = std::make_shared<p2p::EvalOptions>();
    auto* sub =
        app.add_subcommand("eval", "Evaluate a model on a paired test split: L1, PSNR, SSIM and a gallery");
    sub->add_option("--model", f->model, "A .p2pm, a reference .pth, a training checkpoint or a run folder")
        ->required();
    sub->add_option("--data", f->data, "Paired data folder")->required();
    sub->add_option("--split", f->split,
                    "Split to evaluate: test, val, train, or all for a folder without split folders "
                    "(default: test, else val, else all)");
    sub->add_flag("--pair-resize,--pair_resize", f->pair_resize,
                  "A/ B/ folders: resize B to A when their sizes differ but the aspect ratios agree within 1%");
    sub->add_option("--direction", f->direction, "AtoB or BtoA (default: the model's, else AtoB)")
        ->check(CLI::IsMember({"AtoB", "BtoA"}));
    sub->add_option("--norm-stats", f->norm_stats,
                    "BatchNorm statistics: image (the image's own, as the paper tests) or running "
                    "(default: what the model's metadata prefers, else image)")
        ->check(CLI::IsMember({"running", "image"}));
    sub->add_option(
        "--load_size", f->load_size,
        "Resize pairs to this square size first (default: the model's training crop size when known; "
        "0: as they are)");
    sub->add_option("--segmenter", f->segmenter,
                    "A photo -> label model (models/facades-segmenter.p2pm): re-labels each generated photo and "
                    "scores it against its input label map (label consistency, after the paper's FCN-score)");
    sub->add_option("--gallery", f->gallery, "Write grid.png, index.html and every triplet to this folder");
    sub->add_option("--grid", f->grid_rows, "Rows in grid.png")->check(CLI::Range(1, 1000))->capture_default_str();
    sub->add_option("--limit", f->limit, "Evaluate at most N pairs (0: all)")->check(CLI::NonNegativeNumber);
    p2p::cli::addDeviceFlag(sub, f->device, "auto | cpu | cuda | cuda:N");
    sub->add_option("--precision", f->precision, "fp32 | bf16 | fp16 | auto")
        ->check(CLI::IsMember({"auto", "fp32", "bf16", "fp16"}))
        ->capture_default_str();
    auto json = std::make_shared<bool>(false);
    sub->add_flag("--json", *json, "Print the metrics as JSON");

    return [f, json]() -> int {
        TerminalProgress progress(*json);
        const p2p::EvalReport report = p2p::evaluate(*f, &progress);
        if (*json)
            std::cout << report.toJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        else
            printReport(report);
        return p2p::cli::kExitOk;
    };
}

P2P_REGISTER_COMMAND("eval", addEvalCommand);

}  // namespace
