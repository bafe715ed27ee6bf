// pix2pix train: the studio's Trainer with a terminal progress bar. Ctrl+C (SIGINT) or SIGTERM stops after
// the current step, saves checkpoints/latest.ckpt and model.p2pm, and exits with 130; `pix2pix train
// --resume RUN_DIR` continues exactly where it stopped.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/cli/command_registry.h"
#include "app/cli/device_flag.h"
#include "app/cli/local_ranks.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/dist/distributed_context.h"
#include "core/train/presets.h"
#include "core/train/trainer.h"

namespace {

std::atomic<bool> gInterrupted{false};

void onSignal(int) {
    gInterrupted = true;
    // A second Ctrl+C ends the process at once.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

std::string formatDuration(double seconds) {
    if (!(seconds >= 0) || seconds > 1e8) return "--";
    const long s = static_cast<long>(seconds + 0.5);
    std::ostringstream o;
    if (s >= 3600)
        o << s / 3600 << "h" << std::setw(2) << std::setfill('0') << (s % 3600) / 60 << "m";
    else if (s >= 60)
        o << s / 60 << "m" << std::setw(2) << std::setfill('0') << s % 60 << "s";
    else
        o << s << "s";
    return o.str();
}

// Draws one line updated in place on a terminal; prints a plain line every `plainEvery` seconds otherwise.
class ProgressPrinter : public p2p::TrainingObserver {
public:
    explicit ProgressPrinter(bool tty) : tty_(tty) {}

    void onStarted(const p2p::TrainingProgress& p, const std::string& runDir) override {
        progress_ = p;
        std::cout << "run folder: " << runDir << "\n"
                  << "training from iteration " << p.iteration << " of " << p.total_iterations << " ("
                  << p.iterations_per_epoch << " per epoch, " << p.total_epochs << " epochs)\n"
                  << std::flush;
    }
    void onLosses(const p2p::LossSample& l) override {
        losses_ = l;
        haveLosses_ = true;
    }
    void onProgress(const p2p::TrainingProgress& p) override {
        progress_ = p;
        draw(false);
    }
    void onEpochEnd(int epoch, double seconds) override {
        clearLine();
        std::cout << "epoch " << epoch << "/" << progress_.total_epochs << " done in "
                  << formatDuration(seconds) << "\n"
                  << std::flush;
    }
    void onCheckpoint(const std::string& path) override {
        clearLine();
        std::cout << "saved " << path << "\n" << std::flush;
    }
    void onMessage(const std::string& message) override {
        clearLine();
        std::cout << message << "\n" << std::flush;
    }
    void onStateChanged(p2p::TrainingState state) override {
        if (state == p2p::TrainingState::Paused) onMessage("paused");
    }
    void finish() {
        if (tty_ && lineOpen_) std::cout << "\n" << std::flush;
        lineOpen_ = false;
    }

private:
    std::string line() const {
        const auto& p = progress_;
        std::ostringstream o;
        const double fraction = p.total_iterations > 0 ? double(p.iteration) / double(p.total_iterations) : 0;
        o << "epoch " << p.epoch << "/" << p.total_epochs << " ";
        if (tty_) {
            const int width = 20, filled = static_cast<int>(fraction * width);
            o << "[" << std::string(filled, '#') << std::string(width - filled, '-') << "] ";
        }
        o << std::fixed << std::setprecision(1) << fraction * 100 << "% it " << p.iteration << "/"
          << p.total_iterations << " " << std::setprecision(2) << p.iterations_per_second << " it/s ETA "
          << formatDuration(p.eta_seconds);
        if (haveLosses_)
            o << std::setprecision(3) << " | G_GAN " << losses_.G_GAN << " G_L1 " << losses_.G_L1
              << " D_real " << losses_.D_real << " D_fake " << losses_.D_fake;
        return o.str();
    }
    void draw(bool force) {
        const auto now = std::chrono::steady_clock::now();
        const double since = std::chrono::duration<double>(now - lastDraw_).count();
        if (!force && since < (tty_ ? 0.2 : 30.0)) return;
        lastDraw_ = now;
        if (tty_) {
            std::cout << "\r\033[K" << line() << std::flush;
            lineOpen_ = true;
        } else {
            std::cout << line() << "\n" << std::flush;
        }
    }
    void clearLine() {
        if (tty_ && lineOpen_) std::cout << "\r\033[K";
        lineOpen_ = false;
    }

    bool tty_;
    bool lineOpen_ = false;
    bool haveLosses_ = false;
    p2p::TrainingProgress progress_;
    p2p::LossSample losses_;
    std::chrono::steady_clock::time_point lastDraw_{};
};

// The preset's values, except where the command line gave a flag of its own.
p2p::TrainOptions withPreset(const p2p::TrainOptions& given, const p2p::TrainPreset& preset, const CLI::App& command) {
    p2p::TrainOptions o = preset.applyTo(given);
    auto keepGiven = [&](const char* flag, auto field) {
        if (command.get_option(flag)->count() > 0) o.*field = given.*field;
    };
    keepGiven("--netG", &p2p::TrainOptions::netG);
    keepGiven("--ngf", &p2p::TrainOptions::ngf);
    keepGiven("--ndf", &p2p::TrainOptions::ndf);
    keepGiven("--load_size", &p2p::TrainOptions::load_size);
    keepGiven("--crop_size", &p2p::TrainOptions::crop_size);
    keepGiven("--n_epochs", &p2p::TrainOptions::n_epochs);
    keepGiven("--n_epochs_decay", &p2p::TrainOptions::n_epochs_decay);
    return o;
}

struct TrainFlags {
    p2p::TrainOptions options;
    std::string resume;
    std::string preset;
    bool noFlip = false, noDropout = false, fastPath = true;
    int threads = 0;
    std::string precision = "auto";
    std::string upsample = "transposed";
    int nproc = 1;
    std::string distBackend = "auto";
    int distTimeout = 120;
};

// Ranks other than 0 keep quiet: rank 0 reports for the run.
class SilentObserver : public p2p::TrainingObserver {};

std::function<int()> addTrainCommand(CLI::App& app) {
    auto flags = std::make_shared<TrainFlags>();
    auto* sub =
        app.add_subcommand("train", "Train a pix2pix model (the reference's train.py) on paired images");
    sub->footer(
        "Flags are named like the reference's. Ctrl+C stops after the current step, saves the checkpoint and "
        "model, and exits with 130;\n`pix2pix train --resume RUN_DIR` continues the run exactly.\n\n"
        "Data-parallel training: `pix2pix train --nproc N ...` starts N ranks here; torchrun, Slurm or a shell "
        "loop set RANK,\nWORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT instead. torchrun must be the one of "
        "the torch pix2pix was built\nwith; Debian's (python3-torch) needs `--redirects 1 --tee 1` on Python 3.11:\n"
        "  python3 -m torch.distributed.run --standalone --nproc_per_node N --redirects 1 --tee 1 --no_python "
        "pix2pix train ... --run_dir R\n(--run_dir: torchrun takes an abbreviated --run for its own --run-path). "
        "The effective batch is batch_size x ranks.\nBatchNorm keeps per-rank batch statistics (as torch DDP "
        "without SyncBatchNorm): use --norm instance with several\nranks. Only rank 0 writes the run folder; a "
        "checkpoint resumes on any number of ranks.");
    auto& o = flags->options;
    std::vector<CLI::Option*> trainingFlags;
    std::vector<CLI::Option*> scheduleFlags;  // what --resume may change
    auto addSchedule = [&](CLI::Option* option) { scheduleFlags.push_back(option); };
    // How the arithmetic runs: --resume restores the saved values, and these override them (logged).
    CLI::Option* deviceFlag = nullptr;
    CLI::Option* fastPathFlag = nullptr;
    CLI::Option* threadsFlag = nullptr;
    CLI::Option* precisionFlag = nullptr;
    auto add = [&](CLI::Option* option) {
        trainingFlags.push_back(option);
        return option;
    };
    // With --resume, --data says where the run's data moved to (checked against the run's fingerprint).
    CLI::Option* dataFlag = sub->add_option("--data,--dataroot", o.dataroot,
                                            "Paired data folder (aligned A|B or A/ B/, with train/); with --resume: "
                                            "where the run's data now is (it must hold the same files)");
    add(sub->add_option("--run,--run_dir", o.run_dir,
                        "Run folder to create (options, losses, checkpoints, samples)"));
    sub->add_option("--resume", flags->resume, "Continue the run in this folder from its latest checkpoint");
    add(sub->add_option("--direction", o.direction, "AtoB or BtoA")->capture_default_str());
    add(sub->add_option("--preprocess", o.preprocess,
                        "resize_and_crop | crop | scale_width | scale_width_and_crop | none")
            ->capture_default_str());
    add(sub->add_option("--load_size", o.load_size, "Scale images to this size")->capture_default_str());
    add(sub->add_option("--crop_size", o.crop_size, "Then crop to this size")->capture_default_str());
    add(sub->add_flag("--no_flip", flags->noFlip, "No random horizontal flips"));
    add(sub->add_flag("--pair-resize,--pair_resize", o.pair_resize,
                      "A/ B/ folders: when A and B differ in size but their aspect ratios agree within 1%, resize B "
                      "to A (a note per pair) instead of skipping the pair"));
    add(sub->add_option("--batch_size", o.batch_size, "Input batch size")->capture_default_str());
    add(sub->add_option("--num_threads", o.num_threads, "Background decoding threads")
            ->capture_default_str());
    std::string presetHelp = "Start from a named setup; flags given beside it override its values:";
    std::vector<std::string> presetNames;
    for (const auto& p : p2p::trainPresets()) {
        presetHelp += "\n  " + p.name + ": " + p.summary() + ". " + p.description;
        presetNames.push_back(p.name);
    }
    CLI::Option* presetFlag =
        add(sub->add_option("--preset", flags->preset, presetHelp)->check(CLI::IsMember(presetNames)));
    add(sub->add_option("--netG", o.netG, "unet_256 | unet_128")->capture_default_str());
    add(sub->add_option("--netD", o.netD, "basic | n_layers | pixel")->capture_default_str());
    add(sub->add_option("--n_layers_D", o.n_layers_D, "Layers of D when netD is n_layers")
            ->capture_default_str());
    add(sub->add_option("--ngf", o.ngf, "Generator filters in the last conv layer")->capture_default_str());
    add(sub->add_option("--ndf", o.ndf, "Discriminator filters in the first conv layer")
            ->capture_default_str());
    add(sub->add_option("--norm", o.norm, "batch | instance | none")->capture_default_str());
    add(sub->add_flag("--no_dropout", flags->noDropout, "No dropout in the generator"));
    add(sub->add_option("--upsample", flags->upsample,
                        "transposed | resize: how G's up layers double the resolution. transposed is the "
                        "reference's ConvTranspose2d(k4, s2, p1); resize is NOT the reference's architecture: "
                        "nearest-neighbour x2, then a 3x3 conv (Odena et al. 2016, the usual remedy for the "
                        "checkerboard textures transposed convolutions can draw). The reference's code cannot "
                        "load its models; --resume keeps the run's choice")
            ->capture_default_str()
            ->check(CLI::IsMember({"transposed", "resize"})));
    add(sub->add_option("--init_gain", o.init_gain, "Std of the normal weight initialisation")
            ->capture_default_str());
    add(sub->add_option("--gan_mode", o.gan_mode, "vanilla | lsgan")->capture_default_str());
    add(sub->add_option("--lambda_L1", o.lambda_L1, "Weight of the L1 loss")->capture_default_str());
    add(sub->add_option("--lr", o.lr, "Initial Adam learning rate")->capture_default_str());
    add(sub->add_option("--beta1", o.beta1, "Adam beta1")->capture_default_str());
    addSchedule(sub->add_option("--n_epochs", o.n_epochs, "Epochs at the initial learning rate")
            ->capture_default_str());
    addSchedule(sub->add_option("--n_epochs_decay", o.n_epochs_decay, "Epochs of linear decay to zero")
            ->capture_default_str());
    add(sub->add_option("--seed", o.seed, "Random seed (weights, dropout, data order, jitter)")
            ->capture_default_str());
    deviceFlag = p2p::cli::addDeviceFlag(
        sub, o.device, "auto | cpu | cuda | cuda:N (the run records what auto chose; --resume keeps it)");
    fastPathFlag = sub->add_flag("--fast_path,!--no_fast_path", flags->fastPath,
                                 "CPU: G's transposed convs on oneDNN's convolution path (same arithmetic, about "
                                 "2x faster per step); --no_fast_path uses LibTorch's ConvTranspose2d")
                       ->capture_default_str();
    precisionFlag =
        sub->add_option("--precision", flags->precision,
                        "auto | fp32 | bf16 | fp64: what G's and D's convolutions compute in, forward "
                        "and backward (weights, Adam, losses and BatchNorm statistics stay fp32); auto "
                        "is bf16 on a CPU with AVX512_BF16 or AMX, else fp32. fp64 computes everything "
                        "in double, several times slower, to check arithmetic. The run records the "
                        "choice and --resume keeps it")
            ->capture_default_str();
    addSchedule(sub->add_option("--save_epoch_freq", o.save_epoch_freq,
                        "Keep a model snapshot checkpoints/epoch_N.p2pm (G and D, no optimizer state) every N "
                        "epochs; only checkpoints/latest.ckpt resumes")
            ->capture_default_str());
    addSchedule(sub->add_option("--keep-checkpoints,--keep_checkpoints", o.keep_checkpoints,
                                "Keep only the newest N epoch snapshots (0: all)")
                    ->capture_default_str());
    add(sub->add_flag("--snapshot-half,--snapshot_half", o.snapshot_half,
                      "Epoch snapshots in float16 (half the size; latest.ckpt stays exact)"));
    addSchedule(sub->add_option("--save_latest_freq", o.save_latest_freq,
                        "Write checkpoints/latest.ckpt every N iterations")
            ->capture_default_str());
    addSchedule(sub->add_option("--sample_freq", o.sample_freq,
                        "Write a sample triplet every N iterations (0: never)")
            ->capture_default_str());
    addSchedule(sub->add_option("--log_freq", o.log_freq, "Log the losses every N iterations")
            ->capture_default_str());
    sub->add_option(
           "--nproc", flags->nproc,
           "Data-parallel: start N ranks of this training on this machine (a free port on 127.0.0.1); "
           "each gets cores/N compute threads. BatchNorm statistics are per rank: prefer --norm instance")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    sub->add_option("--dist-backend,--dist_backend", flags->distBackend,
                    "auto | gloo | nccl: how ranks exchange gradients (auto: NCCL on CUDA, Gloo otherwise)")
        ->capture_default_str()
        ->check(CLI::IsMember({"auto", "gloo", "nccl"}));
    sub->add_option(
           "--dist-timeout,--dist_timeout", flags->distTimeout,
           "Seconds a rank waits for a lost or missing peer before it ends with an error (rank 0 then "
           "leaves a resumable checkpoint)")
        ->capture_default_str()
        ->check(CLI::Range(1, 86400));
    threadsFlag = sub->add_option("--threads", flags->threads,
                                  "Compute threads (0: one per core); the run records the count, since another "
                                  "count changes the arithmetic, and --resume restores it")
                      ->capture_default_str()
                      ->check(CLI::Range(0, 1024));

    return [=]() -> int {
        using namespace p2p::cli;
        if (flags->nproc > 1 && !p2p::DistOptions::launchedAsRank())
            return launchLocalRanks(flags->nproc, flags->distTimeout + 30);
        p2p::DistOptions distOptions;
        try {
            distOptions = p2p::DistOptions::fromEnvironment();
            distOptions.backend = p2p::distBackendFromString(flags->distBackend);
            distOptions.timeout_seconds = flags->distTimeout;
            distOptions.validate();
        } catch (const p2p::Error& e) {
            std::cerr << "error: " << e.what() << "\n";
            return kExitUsage;
        }
        std::shared_ptr<p2p::DistributedContext> distributed;
        const bool mainRank = distOptions.isMain();
        if (distOptions.distributed()) {
            // One GPU per local rank; on the CPU, the machine's cores shared between its ranks.
            p2p::Device device = flags->options.device.resolved();
            if (device.isCuda() && flags->options.device.index() < 0)
                device = p2p::Device::cuda(distOptions.local_rank);
            if (deviceFlag->count() > 0 || device.isCuda()) flags->options.device = device;
            if (threadsFlag->count() == 0)
                flags->threads = std::max(1, p2p::hardwareThreads() / distOptions.local_world_size);
            if (!mainRank) std::cout.setstate(std::ios::failbit);  // rank 0 speaks for the run
            // A peer that dies leaves its sockets closed; writing to one must fail as an error Gloo reports
            // (and we name the lost rank), not end this rank silently by SIGPIPE. Python ignores SIGPIPE
            // too, which is why torch's own ranks never see it.
            std::signal(SIGPIPE, SIG_IGN);
            try {
                distributed = p2p::DistributedContext::join(distOptions, device);
            } catch (const p2p::Error& e) {
                std::cerr << "error: " << e.what() << "\n" << std::flush;
                std::_Exit(kExitFailure);  // no c10d destructor may wait on a peer that is not there
            }
        }
        std::unique_ptr<p2p::Trainer> trainer;
        try {
            p2p::TrainPrecision precision;
            try {
                precision = p2p::trainPrecisionFromString(flags->precision);
            } catch (const p2p::Error& e) {
                std::cerr << "error: --precision: " << e.what() << "\n";
                return kExitUsage;
            }
            if (!flags->resume.empty()) {
                for (auto* option : trainingFlags)
                    if (option->count() > 0) {
                        std::cerr
                            << "error: " << option->get_name()
                            << " cannot be combined with --resume: a resumed run keeps its saved options "
                               "(only --data, --n_epochs, --n_epochs_decay, the save/sample/log cadences, "
                               "--threads, --device, --fast_path and --precision may change)\n";
                        return kExitUsage;
                    }
                p2p::Trainer::ScheduleChange change;
                const auto& o = flags->options;
                auto given = [&](const char* name) {
                    for (auto* option : scheduleFlags)
                        if (option->check_name(name)) return option->count() > 0;
                    return false;
                };
                if (given("--n_epochs")) change.n_epochs = o.n_epochs;
                if (given("--n_epochs_decay")) change.n_epochs_decay = o.n_epochs_decay;
                if (given("--save_epoch_freq")) change.save_epoch_freq = o.save_epoch_freq;
                if (given("--save_latest_freq")) change.save_latest_freq = o.save_latest_freq;
                if (given("--sample_freq")) change.sample_freq = o.sample_freq;
                if (given("--log_freq")) change.log_freq = o.log_freq;
                if (given("--keep-checkpoints")) change.keep_checkpoints = o.keep_checkpoints;
                p2p::ExecutionChange execution;
                if (threadsFlag->count() > 0) execution.compute_threads = flags->threads;
                if (distributed && flags->options.device.isCuda()) execution.device = flags->options.device;
                if (deviceFlag->count() > 0) execution.device = o.device;
                if (fastPathFlag->count() > 0) execution.fast_path = flags->fastPath;
                if (precisionFlag->count() > 0) execution.precision = precision;
                std::optional<std::string> movedData;
                if (dataFlag->count() > 0) movedData = o.dataroot;
                trainer = p2p::Trainer::resume(flags->resume, change, execution, movedData, distributed);
                if (!change.empty())
                    std::cout << "schedule changed: " << trainer->options().n_epochs << " + "
                              << trainer->options().n_epochs_decay << " epochs\n";
                std::cout << "resuming " << flags->resume << " at epoch " << trainer->epoch()
                          << ", iteration " << trainer->iteration() << "\n";
                const auto& report = trainer->resumeReport();
                for (const auto& line : report.overrides) std::cout << "override: " << line << "\n";
                for (const auto& line : report.differences) std::cerr << "warning: " << line << "\n";
                const auto& r = trainer->options();
                std::cout << "numerics:       " << r.describeNumerics()
                          << (report.bitIdentical() ? " (as saved: bit-identical to an uninterrupted run)"
                                                    : "")
                          << "\n"
                          << std::flush;
            } else {
                auto options = flags->options;
                if (presetFlag->count() > 0) {
                    options = withPreset(options, p2p::trainPreset(flags->preset), *sub);
                    const p2p::TrainPreset* still = p2p::matchingPreset(options);
                    std::cout << "preset:         " << flags->preset
                              << (still && still->name == flags->preset ? ""
                                                                        : " (with the flags given beside it)")
                              << "\n";
                }
                options.no_flip = flags->noFlip;
                options.dropout = !flags->noDropout;
                options.upsample = p2p::upsampleFromString(flags->upsample);
                options.fast_path = flags->fastPath;
                options.compute_threads = flags->threads;
                options.precision = precision;
                if (options.dataroot.empty() || options.run_dir.empty()) {
                    std::cerr << "error: train needs --data DIR and --run DIR (or --resume RUN_DIR)\n";
                    return kExitUsage;
                }
                try {
                    options.validate();
                } catch (const p2p::Error& e) {
                    std::cerr << "error: " << e.what() << "\n";
                    return kExitUsage;
                }
                trainer = std::make_unique<p2p::Trainer>(options, distributed);
            }
        } catch (const p2p::DistributedFailure& e) {
            std::cerr << "error: " << e.what() << "\n" << std::flush;
            std::_Exit(kExitFailure);  // as below: nothing may wait on the lost peer
        }
        const auto& options = trainer->options();
        const bool aToB = options.direction == "AtoB";
        const std::string sideA = trainer->dataset().layout == p2p::DatasetLayout::Aligned ? "the left half (A)" : "A/";
        const std::string sideB = trainer->dataset().layout == p2p::DatasetLayout::Aligned ? "the right half (B)" : "B/";
        std::cout << trainer->dataset().summary() << "\n"
                  << "direction:      " << options.direction << ": input " << (aToB ? sideA : sideB)
                  << ", target " << (aToB ? sideB : sideA) << "\n"
                  << "training pairs: " << trainer->datasetSize() << " (" << trainer->iterationsPerEpoch()
                  << " iterations per epoch at batch " << options.batch_size
                  << (trainer->worldSize() > 1 ? " per rank" : "") << ")\n"
                  << "generator:      " << options.generatorOptions().describe() << "\n"
                  << "discriminator:  " << options.discriminatorOptions().describe() << "\n"
                  << "device:         " << trainer->device().describe() << "\n"
                  << "precision:      " << p2p::describePrecision(options.precision, trainer->device())
                  << "\n";
        if (trainer->worldSize() > 1)
            std::cout << "data-parallel:  " << trainer->worldSize() << " ranks ("
                      << p2p::toString(distributed->backend()) << ", timeout " << distOptions.timeout_seconds
                      << " s, rendezvous " << distOptions.master_addr << ":" << distOptions.master_port
                      << (distOptions.join_launcher_store ? " served by torchrun" : " served by rank 0")
                      << "), effective batch " << options.batch_size << " x " << trainer->worldSize()
                      << " = " << options.batch_size * trainer->worldSize() << "; " << options.compute_threads
                      << " compute threads per rank"
                      << (options.norm == "batch" ? "; BatchNorm statistics are per rank (--norm instance "
                                                    "is recommended with several ranks)"
                                                  : "")
                      << "\n";
        std::cout << std::flush;

        gInterrupted = false;
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        std::atomic<bool> done{false};
        // Signal handlers may only set a flag; this thread turns it into a stop request.
        std::thread watcher([&] {
            while (!done) {
                if (gInterrupted) {
                    trainer->stop();
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        });
        ProgressPrinter printer(isatty(STDOUT_FILENO) != 0);
        SilentObserver silent;
        p2p::TrainingState state = p2p::TrainingState::Failed;
        try {
            state = trainer->run(mainRank ? static_cast<p2p::TrainingObserver&>(printer) : silent);
        } catch (const p2p::DistributedFailure& e) {
            // A peer is gone: c10d's destructors could wait on it, so this rank ends here.
            printer.finish();
            std::cerr << "error: " << e.what() << "\n" << std::flush;
            std::cout << std::flush;
            std::_Exit(kExitFailure);
        } catch (...) {
            done = true;
            watcher.join();
            printer.finish();
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
            throw;
        }
        done = true;
        watcher.join();
        printer.finish();
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        const std::string size = p2p::formatBytes(p2p::folderBytes(options.run_dir));
        if (state == p2p::TrainingState::Stopped) {
            std::cout << "interrupted (run folder " << size << "); continue with: pix2pix train --resume "
                      << options.run_dir << "\n";
            return kExitInterrupted;
        }
        std::cout << "done: " << options.run_dir << " (" << size << ")\n";
        return kExitOk;
    };
}

P2P_REGISTER_COMMAND("train", addTrainCommand);

}  // namespace
