// pix2pix-bench: naive eager vs the fast path on this machine, in one run: inference latency (p50/p95) for
// the U-Net-256 at ngf 64 and 32 in fp32 and bf16, one full training iteration (G+D, Adam, BCE + 100 L1),
// peak RSS.

#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/bench/bench_micro.h"
#include "app/bench/bench_peer.h"
#include "app/bench/bench_profile.h"
#include "core/common/runtime.h"
#include "core/data/prefetcher.h"
#include "core/infer/inference_engine.h"
#include "core/io/model_io.h"
#include "core/nn/fast_unet.h"
#include "core/nn/mixed_precision.h"
#include "core/train/blocked_adam.h"
#include "core/train/checkpoint.h"
#include "core/train/train_losses.h"

using json = nlohmann::json;
using namespace p2p;

namespace {

struct Args {
    int iterations = 20;
    int warmup = 3;
    int train_iterations = 5;
    int threads = 0;
    bool json = false;
    bool profile = false;
    bool skip_train = false;
    bool skip_naive = false;
    bool micro = false;
    bool skip_peer = false;
    std::string python;  // the peer's interpreter; empty: python3 or /usr/bin/python3, whichever has torch
    std::string peer_script = bench::PeerOptions().script;
    std::vector<int> ngfs{64, 32};
    std::string
        data;  // paired folder for the data-pipeline section; "" = ../shared/data/facades or synthetic
    bool skip_data = false;
    bool cuda = false;       // the CUDA rows (marked absent without a GPU)
    bool cuda_only = false;  // only them (and the machine): what tools/gpu-check.sh runs
    int cuda_batch = 16;     // the throughput row's batch
};

double nowMs() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double processCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// Wall-clock percentiles, plus the process CPU time per iteration (all threads): on a shared machine the wall
// time grows with other processes' load, the CPU time much less.
json timeIt(const std::function<void()>& fn, int warmup, int iterations) {
    for (int i = 0; i < warmup; ++i) fn();
    std::vector<double> times;
    const double cpu0 = processCpuMs();
    for (int i = 0; i < iterations; ++i) {
        const double t0 = nowMs();
        fn();
        times.push_back(nowMs() - t0);
    }
    const double cpuPerIteration = (processCpuMs() - cpu0) / iterations;
    std::sort(times.begin(), times.end());
    auto pct = [&](double p) {
        const double idx = p * double(times.size() - 1);
        const size_t lo = static_cast<size_t>(idx);
        const size_t hi = std::min(lo + 1, times.size() - 1);
        return times[lo] + (times[hi] - times[lo]) * (idx - double(lo));
    };
    double sum = 0;
    for (double t : times) sum += t;
    return {{"p50_ms", pct(0.5)},
            {"p95_ms", pct(0.95)},
            {"min_ms", times.front()},
            {"mean_ms", sum / double(times.size())},
            {"n", iterations}};
}

// OpenBLAS's own thread count (its pthreads live beside LibTorch's OpenMP pool); -1 when not OpenBLAS.
int openblasThreads() {
    void* handle = dlopen("libblas.so.3", RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) return -1;
    auto get = reinterpret_cast<int (*)()>(dlsym(handle, "openblas_get_num_threads"));
    return get ? get() : -1;
}

bool setOpenblasThreads(int n) {
    void* handle = dlopen("libblas.so.3", RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) return false;
    auto set = reinterpret_cast<void (*)(int)>(dlsym(handle, "openblas_set_num_threads"));
    if (!set) return false;
    set(n);
    return true;
}

double peakRssMb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

std::string loadAverage() {  // "1 min, 5 min, 15 min": timings mean little on a loaded machine
    std::ifstream in("/proc/loadavg");
    double one = 0, five = 0, fifteen = 0;
    in >> one >> five >> fifteen;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f, %.2f, %.2f", one, five, fifteen);
    return buf;
}

std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "unknown";
}

UnetGenerator makeGenerator(int ngf) {
    GeneratorOptions o;
    o.netG = "unet_256";
    o.ngf = ngf;
    UnetGenerator g(o);
    initWeights(*g);
    // Non-trivial running statistics, as a trained model has.
    torch::NoGradGuard noGrad;
    g->train();
    g->forward(torch::randn({2, 3, 256, 256}) * 0.5);
    g->eval();
    return g;
}

// A smooth, image-like input in [-1, 1].
torch::Tensor benchInput() {
    auto low = torch::rand({1, 3, 16, 16}) * 2 - 1;
    auto x = at::upsample_bilinear2d(low, {256, 256}, false) + 0.05 * torch::randn({1, 3, 256, 256});
    return x.clamp(-1, 1);
}

void log(const std::string& s) {
    std::cerr << s << std::endl;
}

std::string fmt(const json& t) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "p50 %8.1f ms  p95 %8.1f ms", t["p50_ms"].get<double>(),
                  t["p95_ms"].get<double>());
    return buf;
}

// GF/s of oneDNN's best kernel on a large convolution here, per dtype: what each row is measured against.
struct Limits {
    double fp32 = 0, bf16 = 0;
    double of(torch::Dtype dtype) const { return dtype == torch::kBFloat16 ? bf16 : fp32; }
};

std::string limitText(double gflops, double limit) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "  %6.0f GF/s  %5.1f%% of limit", gflops, 100.0 * gflops / limit);
    return buf;
}

json benchInference(const Args& a, int ngf, const Limits& limits) {
    json out;
    torch::manual_seed(0);
    auto g = makeGenerator(ngf);
    const auto x = benchInput();
    c10::InferenceMode guard;
    out["gflop"] = ngf == 64 ? 12.1 : 12.1 / 4.0;

    if (!a.skip_naive) {
        out["naive_fp32"] = timeIt([&] { g->forward(x); }, a.warmup, std::max(3, a.iterations / 2));
        log("  ngf " + std::to_string(ngf) + " naive eager fp32          " + fmt(out["naive_fp32"]));
        const int blasThreads = openblasThreads();
        if (blasThreads > 1 && setOpenblasThreads(1)) {
            out["naive_fp32_openblas_1_thread"] =
                timeIt([&] { g->forward(x); }, a.warmup, std::max(3, a.iterations / 2));
            setOpenblasThreads(blasThreads);
            log("  ngf " + std::to_string(ngf) + " naive, OpenBLAS 1 thread  " +
                fmt(out["naive_fp32_openblas_1_thread"]));
        }
    }
    const auto reference = g->forward(x);

    struct Variant {
        std::string name;
        torch::Dtype dtype;
        bool batchStats;
        bool prepack = true;
    };
    for (const Variant& v :
         {Variant{"fast_fp32", torch::kFloat32, false}, Variant{"fast_bf16", torch::kBFloat16, false},
          Variant{"fast_fp32_image_stats", torch::kFloat32, true},
          Variant{"fast_bf16_image_stats", torch::kBFloat16, true}}) {
        FastUnetOptions o;
        o.dtype = v.dtype;
        o.prepack = v.prepack;
        FastUnet fast(g, o);
        UnetRunOptions run;
        run.batch_stats = v.batchStats;
        json r = timeIt([&] { fast.forward(x, run); }, a.warmup, a.iterations);
        // Accuracy against the module (eval for running statistics; train-mode statistics otherwise).
        torch::Tensor expected = reference;
        if (v.batchStats) {
            FastUnetOptions exact;
            exact.subpixel = false;
            exact.fold_batchnorm = false;
            exact.channels_last = false;
            expected = FastUnet(g, exact).forward(x, run);
        }
        const auto diff = (fast.forward(x, run).to(torch::kFloat32) - expected).abs();
        r["max_abs_error"] = diff.max().item<double>();
        r["mean_abs_error"] = diff.mean().item<double>();
        r["gflops_per_s"] = out["gflop"].get<double>() / (r["p50_ms"].get<double>() / 1000.0);
        r["of_limit"] = r["gflops_per_s"].get<double>() / limits.of(v.dtype);
        log("  ngf " + std::to_string(ngf) + " " + v.name + std::string(26 - v.name.size(), ' ') + fmt(r) +
            limitText(r["gflops_per_s"].get<double>(), limits.of(v.dtype)) + "  max err " +
            std::to_string(r["max_abs_error"].get<double>()));
        out[v.name] = r;
        if (a.profile && !v.batchStats && v.prepack) {
            fast.setProfiling(true);
            std::vector<std::string> names;
            std::vector<double> sums;
            for (int i = 0; i < a.iterations; ++i) {
                fast.forward(x, run);
                const auto& p = fast.profile();
                if (names.empty())
                    for (const auto& [name, ms] : p) names.push_back(name), sums.push_back(0.0);
                for (size_t k = 0; k < p.size() && k < sums.size(); ++k)
                    sums[k] += p[k].second / a.iterations;
            }
            fast.setProfiling(false);
            json layers = json::array();
            for (size_t k = 0; k < names.size(); ++k) {
                layers.push_back({names[k], sums[k]});
                std::fprintf(stderr, "      %-24s %7.2f ms\n", names[k].c_str(), sums[k]);
            }
            out[v.name]["profile_ms"] = layers;
        }
    }
    if (!a.skip_naive && out.contains("naive_fp32")) {
        out["speedup_fp32"] =
            out["naive_fp32"]["p50_ms"].get<double>() / out["fast_fp32"]["p50_ms"].get<double>();
        out["speedup_bf16"] =
            out["naive_fp32"]["p50_ms"].get<double>() / out["fast_bf16"]["p50_ms"].get<double>();
    }
    return out;
}

// The reference pix2pix step (models/pix2pix_model.py optimize_parameters) as the trainer runs it
// (core/train/trainer.cpp): D on fake (detached) and real, (fake + real) / 2, Adam step; then G with GAN (D
// frozen) + 100 * L1, Adam step. Forward passes under the trainer's AutocastScope for bf16.
struct TrainSetup {
    UnetGenerator g{nullptr};
    PatchDiscriminator d{nullptr};
    std::unique_ptr<torch::optim::Adam> optG, optD;
    bool blockedAdam = true;  // the trainer's optimizer, on released gradients
    torch::Tensor realA, realB;
};

// `blockedAdam`: the trainer's optimizer (torch::optim::Adam's arithmetic from cache); else LibTorch's.
TrainSetup makeTrainSetup(int ngf, bool blockedAdam = true) {
    torch::manual_seed(0);
    TrainSetup s;
    GeneratorOptions go;
    go.ngf = ngf;
    s.g = UnetGenerator(go);
    initWeights(*s.g);
    s.d = PatchDiscriminator(DiscriminatorOptions{});
    initWeights(*s.d);
    s.g->train();
    s.d->train();
    auto adam = torch::optim::AdamOptions(2e-4).betas({0.5, 0.999});
    s.blockedAdam = blockedAdam;
    if (blockedAdam) {
        s.optG = std::make_unique<BlockedAdam>(s.g->parameters(), adam);
        s.optD = std::make_unique<BlockedAdam>(s.d->parameters(), adam);
    } else {
        s.optG = std::make_unique<torch::optim::Adam>(s.g->parameters(), adam);
        s.optD = std::make_unique<torch::optim::Adam>(s.d->parameters(), adam);
    }
    s.realA = benchInput();
    s.realB = benchInput();
    return s;
}

enum class TrainPath { Naive, ConvPath, Subpixel };

// Where a step's time goes, in the order the step runs.
const std::vector<std::string> kPhases = {"G forward", "D forward (fake, real)",   "D backward",
                                          "D Adam",    "D forward for G + losses", "G backward (through D)",
                                          "G Adam"};

// `autocastOn`: the device whose autocast the reduced precision uses (the CPU's, or CUDA's for the GPU rows).
void trainStep(TrainSetup& s, TrainPath path, torch::Dtype dtype, std::vector<double>* phases = nullptr,
               torch::Device autocastOn = torch::kCPU) {
    const GanLoss gan(GanMode::Vanilla);
    double mark = nowMs();
    auto phase = [&](size_t i) {
        const double now = nowMs();
        if (phases) (*phases)[i] += now - mark;
        mark = now;
    };
    torch::Tensor fakeB;
    {
        AutocastScope autocast(dtype, autocastOn);
        fakeB = path == TrainPath::ConvPath   ? unetForwardOnConvPath(s.g, s.realA)
                : path == TrainPath::Subpixel ? unetForwardFast(s.g, s.realA)
                                              : s.g->forward(s.realA);
    }
    phase(0);
    // D
    for (auto& p : s.d->parameters()) p.set_requires_grad(true);
    if (s.blockedAdam)
        releaseGradients(*s.optD);
    else
        s.optD->zero_grad();
    torch::Tensor predFake, predReal;
    {
        AutocastScope autocast(dtype, autocastOn);
        predFake = s.d->forward(torch::cat({s.realA, fakeB.detach()}, 1));
        predReal = s.d->forward(torch::cat({s.realA, s.realB}, 1));
    }
    const auto lossD = (gan(predFake, false) + gan(predReal, true)) * 0.5;
    phase(1);
    lossD.backward();
    phase(2);
    s.optD->step();
    phase(3);
    // G
    for (auto& p : s.d->parameters()) p.set_requires_grad(false);
    if (s.blockedAdam)
        releaseGradients(*s.optG);
    else
        s.optG->zero_grad();
    torch::Tensor predFakeForG;
    {
        AutocastScope autocast(dtype, autocastOn);
        predFakeForG = s.d->forward(torch::cat({s.realA, fakeB}, 1));
    }
    const auto lossG = gan(predFakeForG, true) + torch::l1_loss(fakeB.to(torch::kFloat32), s.realB) * 100.0;
    phase(4);
    lossG.backward();
    phase(5);
    s.optG->step();
    phase(6);
}

// ATen ops by self time per step (LibTorch's profiler over two steps), largest first: what the phases are
// made of (convolutions, Adam's elementwise passes, casts).
json profileOps(TrainSetup& s, TrainPath path, torch::Dtype dtype) {
    constexpr int kSteps = 2;
    std::stringstream trace;
    {
        torch::autograd::profiler::RecordProfile guard(trace);
        for (int i = 0; i < kSteps; ++i) trainStep(s, path, dtype);
    }
    // Complete events ("ph": "X") of one thread nest by time; an op's self time is its duration less its
    // children's.
    std::map<std::string, double> selfUs;
    std::map<std::string, int> calls;
    std::map<int64_t, std::vector<json>> byThread;
    for (const auto& e : json::parse(trace.str()))
        if (e.value("ph", "") == "X") byThread[e.value("tid", int64_t(0))].push_back(e);
    for (auto& [tid, events] : byThread) {
        std::sort(events.begin(), events.end(), [](const json& x, const json& y) {
            const double tx = x["ts"].get<double>(), ty = y["ts"].get<double>();
            return tx != ty ? tx < ty : x["dur"].get<double>() > y["dur"].get<double>();
        });
        std::vector<const json*> open;
        for (const auto& e : events) {
            const double ts = e["ts"].get<double>(), dur = e["dur"].get<double>();
            while (!open.empty() &&
                   (*open.back())["ts"].get<double>() + (*open.back())["dur"].get<double>() <= ts)
                open.pop_back();
            if (!open.empty()) selfUs[(*open.back())["name"].get<std::string>()] -= dur;
            selfUs[e["name"].get<std::string>()] += dur;
            ++calls[e["name"].get<std::string>()];
            open.push_back(&e);
        }
    }
    std::vector<std::pair<double, std::string>> sorted;
    for (const auto& [name, us] : selfUs) sorted.emplace_back(us / 1e3 / kSteps, name);
    std::sort(sorted.rbegin(), sorted.rend());
    json out = json::array();
    for (size_t i = 0; i < sorted.size() && i < 12; ++i)
        out.push_back({{"op", sorted[i].second},
                       {"self_ms_per_step", sorted[i].first},
                       {"calls_per_step", calls[sorted[i].second] / kSteps}});
    return out;
}

// Naive first, with glibc's default allocator behaviour (as a plain LibTorch or Python program has it); then
// what the trainer does: freed memory kept for reuse (process-wide from here on), and G's transposed convs
// on oneDNN's convolution path; then the same in bf16.
json benchTraining(const Args& a, const Limits& limits, double stepGflop) {
    json out;
    out["step_gflop"] = stepGflop;
    const int n = a.train_iterations;
    auto measure = [&](const char* key, const char* label, TrainPath path, torch::Dtype dtype) {
        auto s = makeTrainSetup(64, path == TrainPath::ConvPath);  // the naive rows keep LibTorch's Adam
        std::vector<double> phases(kPhases.size(), 0.0);
        trainStep(s, path, dtype);  // warm-up, untimed
        const json ops = a.profile && path == TrainPath::ConvPath ? profileOps(s, path, dtype) : json();
        out[key] = timeIt([&] { trainStep(s, path, dtype, &phases); }, 0, n);
        const double gflops = stepGflop / (out[key]["p50_ms"].get<double>() / 1e3);
        out[key]["precision"] = dtype == torch::kBFloat16 ? "bf16" : "fp32";
        if (!ops.is_null()) out[key]["ops"] = ops;
        out[key]["gflops_per_s"] = gflops;
        out[key]["of_limit"] = gflops / limits.of(dtype);
        json phaseMs = json::object();
        for (size_t i = 0; i < kPhases.size(); ++i) phaseMs[kPhases[i]] = phases[i] / n;
        out[key]["phases_mean_ms"] = phaseMs;
        log(std::string("  ") + label + fmt(out[key]) + limitText(gflops, limits.of(dtype)));
    };
    measure("naive", "training iteration naive fp32 (LibTorch defaults)   ", TrainPath::Naive,
            torch::kFloat32);
    keepFreedMemoryForReuse();
    measure("naive_memory_reuse", "training iteration naive fp32 + memory reused      ", TrainPath::Naive,
            torch::kFloat32);
    measure("naive_bf16_memory_reuse", "training iteration naive bf16 autocast + reuse     ",
            TrainPath::Naive, torch::kBFloat16);
    measure("subpixel_memory_reuse", "training iteration sub-pixel transposed convs fp32 ",
            TrainPath::Subpixel, torch::kFloat32);
    measure("fast", "training iteration fast fp32 (the trainer's path)  ", TrainPath::ConvPath,
            torch::kFloat32);
    measure("fast_bf16", "training iteration fast bf16 (--precision bf16)    ", TrainPath::ConvPath,
            torch::kBFloat16);
    out["fast_path"] =
        "freed memory reused + transposed convs as Conv2d backward-data on oneDNN + Adam in "
        "cache-sized slices (BlockedAdam)";
    const double naive = out["naive"]["p50_ms"].get<double>();
    const double fast = out["fast"]["p50_ms"].get<double>();
    const double bf16 = out["fast_bf16"]["p50_ms"].get<double>();
    out["speedup"] = naive / fast;
    out["speedup_bf16_over_naive"] = naive / bf16;
    out["speedup_bf16_over_fast_fp32"] = fast / bf16;
    log("  training speedup over naive: fp32 fast " + std::to_string(naive / fast).substr(0, 4) + "x, bf16 " +
        std::to_string(naive / bf16).substr(0, 4) + "x; bf16 over fp32 fast " +
        std::to_string(fast / bf16).substr(0, 4) + "x");
    return out;
}

// Peak memory of a checkpoint save and a model export against the peak of the training steps before them
// (each peak measured alone: the resident-set high-water mark is reset in between).
json benchSavePeak(const Args& a) {
    namespace fs = std::filesystem;
    if (!resetPeakResident())
        return {{"skipped", "the kernel cannot reset the peak RSS (/proc/self/clear_refs)"}};
    auto s = makeTrainSetup(64);
    for (int i = 0; i < std::max(2, a.train_iterations); ++i)
        trainStep(s, TrainPath::ConvPath, torch::kFloat32);
    const double trainingPeak = double(peakResidentBytes()) / (1 << 20);
    const fs::path folder = fs::temp_directory_path() / ("pix2pix-bench-save-" + std::to_string(::getpid()));
    fs::create_directories(folder);
    TrainingCheckpoint c;  // as the trainer writes latest.ckpt: its own tensors, no copies
    c.options.dataroot = c.options.run_dir = folder.string();
    c.generator = stateDictOf(*s.g);
    c.discriminator = stateDictOf(*s.d);
    c.adam_generator = captureAdamState(*s.optG, *s.g, AdamCapture::Reference);
    c.adam_discriminator = captureAdamState(*s.optD, *s.d, AdamCapture::Reference);
    c.cpu_rng = captureCpuRng();
    resetPeakResident();
    const double t0 = nowMs();
    saveTrainingCheckpoint(c, {(folder / "latest.ckpt").string()});
    const double checkpointMs = nowMs() - t0;
    const double checkpointPeak = double(peakResidentBytes()) / (1 << 20);
    resetPeakResident();
    const double t1 = nowMs();
    saveModel((folder / "model.p2pm").string(), s.g, s.d, SaveModelOptions{});
    const double modelMs = nowMs() - t1;
    const double modelPeak = double(peakResidentBytes()) / (1 << 20);
    const double checkpointMb = double(fs::file_size(folder / "latest.ckpt")) / (1 << 20);
    const double modelMb = double(fs::file_size(folder / "model.p2pm")) / (1 << 20);
    fs::remove_all(folder);
    char line[200];
    std::snprintf(line, sizeof line,
                  "  peak RSS: training %.0f MB; writing latest.ckpt (%.0f MB, %.1f s) %.0f MB (%+.1f%%), "
                  "model.p2pm (%.0f MB, %.1f s) %.0f MB (%+.1f%%)",
                  trainingPeak, checkpointMb, checkpointMs / 1e3, checkpointPeak,
                  100 * (checkpointPeak / trainingPeak - 1), modelMb, modelMs / 1e3, modelPeak,
                  100 * (modelPeak / trainingPeak - 1));
    log(line);
    return {{"training_peak_mb", trainingPeak}, {"checkpoint_save_peak_mb", checkpointPeak},
            {"checkpoint_mb", checkpointMb},    {"checkpoint_save_ms", checkpointMs},
            {"model_save_peak_mb", modelPeak},  {"model_mb", modelMb},
            {"model_save_ms", modelMs}};
}

// Where the fast step's time goes: its phases (measured inside the timed steps above) and each convolution
// layer's forward and backward, timed alone with the trainer's ops.
json profileTraining(const Args& a, const json& training, const Limits& limits,
                     const std::vector<bench::ConvLayer>& layers) {
    json out;
    for (const char* key : {"fast", "fast_bf16"}) {
        const double step = training[key]["p50_ms"].get<double>();
        std::fprintf(stderr, "    %s step phases (mean ms, share of the p50 step):\n", key);
        for (const auto& name : kPhases) {
            const double ms = training[key]["phases_mean_ms"][name].get<double>();
            std::fprintf(stderr, "      %-26s %8.1f ms  %5.1f%%\n", name.c_str(), ms, 100.0 * ms / step);
        }
        std::fprintf(stderr, "    %s step, ATen ops by self time (profiler on, so somewhat slower):\n", key);
        for (const auto& op : training[key].value("ops", json::array()))
            std::fprintf(stderr, "      %-34s %8.1f ms  %5d calls\n", op["op"].get<std::string>().c_str(),
                         op["self_ms_per_step"].get<double>(), op["calls_per_step"].get<int>());
    }
    // G's optimizer step alone, LibTorch's Adam against BlockedAdam on the same gradients (the same bits).
    {
        auto s = makeTrainSetup(64);
        std::vector<torch::Tensor> torchParams, blockedParams;
        for (const auto& p : s.g->parameters()) {
            torchParams.push_back(p.detach().clone().requires_grad_());
            blockedParams.push_back(p.detach().clone().requires_grad_());
            torchParams.back().mutable_grad() = torch::randn_like(p) * 1e-3;
            blockedParams.back().mutable_grad() = torchParams.back().grad().clone();
        }
        const auto options = torch::optim::AdamOptions(2e-4).betas({0.5, 0.999});
        torch::optim::Adam libtorch(torchParams, options);
        BlockedAdam blocked(blockedParams, options);
        const json t = timeIt([&] { libtorch.step(); }, 1, 5), b = timeIt([&] { blocked.step(); }, 1, 5);
        out["adam_g_step_ms"] = {{"torch_optim_adam", t["p50_ms"]}, {"blocked_adam", b["p50_ms"]}};
        std::fprintf(stderr, "    G's Adam step alone: torch::optim::Adam %.1f ms, BlockedAdam %.1f ms\n",
                     t["p50_ms"].get<double>(), b["p50_ms"].get<double>());
    }
    const int n = std::max(3, a.train_iterations);
    const json fp32Rows = bench::layerProfile(layers, torch::kFloat32, limits.fp32, 1, n);
    const json bf16Rows = bench::layerProfile(layers, torch::kBFloat16, limits.bf16, 1, n);
    for (const torch::Dtype dtype : {torch::kFloat32, torch::kBFloat16}) {
        const bool bf16 = dtype == torch::kBFloat16;
        const std::string name = bf16 ? "bf16" : "fp32";
        const json& rows = bf16 ? bf16Rows : fp32Rows;
        std::fprintf(stderr, "    %s per layer (alone; forward, backward = input + weight gradients)%s:\n",
                     name.c_str(), bf16 ? "; * = the trainer runs it in fp32 (lowPrecisionPays)" : "");
        std::fprintf(stderr, "      %-9s %-17s %7s %8s %7s %6s %8s %7s %6s\n", "layer", "shape", "GFLOP",
                     "fwd ms", "GF/s", "limit", "bwd ms", "GF/s", "limit");
        // Per step: G's layers forward and backward once; D's forward three times, backward twice with
        // weight gradients and once with input gradients only (counted as half a backward). In bf16, the
        // layers the trainer keeps in fp32 count with their fp32 times.
        double convMs = 0;
        json marked = json::array();
        for (size_t i = 0; i < rows.size(); ++i) {
            const bench::ConvLayer& l = layers[i];
            const bool isD = l.name.rfind("D", 0) == 0;
            const bool fp32InTraining = bf16 && !isD && !lowPrecisionPays(l.weightUses(), l.cin, l.cout);
            const json& timed = fp32InTraining ? fp32Rows[i] : rows[i];
            convMs += timed["forward_ms"].get<double>() * (isD ? 3 : 1) +
                      timed["backward_ms"].get<double>() * (isD ? 2.5 : 1);
            json row = rows[i];
            row["fp32_in_training"] = fp32InTraining;
            marked.push_back(row);
            const json& r = rows[i];
            std::fprintf(stderr, "      %-9s %-17s %7.3f %8.2f %7.0f %5.0f%% %8.2f %7.0f %5.0f%%%s\n",
                         l.name.c_str(), l.shape().c_str(), r["forward_gflop"].get<double>(),
                         r["forward_ms"].get<double>(), r["forward_gflops_per_s"].get<double>(),
                         100 * r["forward_of_limit"].get<double>(), r["backward_ms"].get<double>(),
                         r["backward_gflops_per_s"].get<double>(), 100 * r["backward_of_limit"].get<double>(),
                         fp32InTraining ? " *" : "");
        }
        const double step = training[bf16 ? "fast_bf16" : "fast"]["p50_ms"].get<double>();
        std::fprintf(
            stderr,
            "      convolutions of one step, from these: about %.0f ms of the %.0f ms step (%.0f%%)\n",
            convMs, step, 100 * convMs / step);
        out[name] = {{"layers", marked}, {"convolution_ms_per_step_estimate", convMs}, {"step_p50_ms", step}};
    }
    return out;
}

// Does the training loop wait on JPEG decoding? The same batches, decoded in next() (0 threads) and by the
// prefetcher's background threads, while the loop runs real training steps (unet_256 ngf 32 + basic D).
json benchDataPipeline(const Args& a) {
    namespace fs = std::filesystem;
    std::string root = a.data;
    std::string source = root;
    fs::path synthetic;
    if (root.empty()) {
        const fs::path shared = fs::path(P2P_DEFAULT_SHARED_DIR) / "data" / "facades";
        if (fs::is_directory(shared / "train")) {
            root = shared.string();
            source = root;
        } else {
            synthetic = fs::temp_directory_path() / ("pix2pix-bench-data-" + std::to_string(::getpid()));
            fs::create_directories(synthetic / "train");
            cv::RNG rng(1);
            for (int i = 0; i < 48; ++i) {
                cv::Mat pair(256, 512, CV_8UC3);
                rng.fill(pair, cv::RNG::UNIFORM, 0, 255);
                cv::imwrite((synthetic / "train" / (std::to_string(i) + ".jpg")).string(), pair);
            }
            root = synthetic.string();
            source = "48 synthetic 512x256 JPEG pairs";
        }
    }
    const DatasetScan scan = scanPairedFolder(root);
    const int batches = 24;
    TransformOptions transform;  // the reference's: load 286, random crop 256, flip
    torch::manual_seed(0);
    GeneratorOptions go;
    go.ngf = 32;
    UnetGenerator g(go);
    DiscriminatorOptions dopt;
    dopt.ndf = 32;
    PatchDiscriminator d(dopt);
    g->train();
    d->train();
    auto step = [&](const TrainingBatch& b) {
        auto fake = g->forward(b.input);
        auto logits = d->forward(torch::cat({b.input, fake}, 1));
        (torch::binary_cross_entropy_with_logits(logits, torch::ones_like(logits)) +
         torch::l1_loss(fake, b.target) * 100.0)
            .backward();
    };
    json out{{"data", source}, {"batches", batches}};
    for (const int threads : {0, 2}) {
        PairPrefetcher prefetcher(scan, "train", Direction::BtoA, transform, 1, 0, threads);
        prefetcher.startEpoch(1);
        const double t0 = nowMs();
        int taken = 0;
        while (taken < batches) {
            auto batch = prefetcher.next();
            if (!batch) break;
            step(*batch);
            ++taken;
        }
        const double total = nowMs() - t0;
        const PrefetchStats stats = prefetcher.stats();
        const std::string key = threads == 0 ? "synchronous" : "prefetch_2_threads";
        out[key] = {
            {"loop_ms_per_step", total / taken},
            {"wait_ms_per_step", stats.wait_seconds * 1e3 / taken},
            {"blocked_steps", stats.blocked_calls - (threads == 0 ? 0 : 1)},  // the first batch always waits
            {"steps", taken}};
        log("  data " + key + ": wait " + std::to_string(stats.wait_seconds * 1e3 / taken) +
            " ms per step of " + std::to_string(total / taken) + " ms; " +
            std::to_string(stats.blocked_calls) + " of " + std::to_string(taken) +
            " steps found their batch not ready");
    }
    if (!synthetic.empty()) fs::remove_all(synthetic);
    return out;
}

// The GPU rows, for tools/gpu-check.sh: inference latency of the U-Net-256 (ngf 64) at 256x256, batch 1, in
// fp32 and fp16 as the engine runs it on CUDA (FastUnet, cuDNN's transposed convolutions, cuDNN autotuning);
// images/s at batch `cuda_batch`; one training iteration as the trainer runs it on CUDA (modules,
// BlockedAdam) in fp32 and bf16 autocast. Every timed call ends with a device synchronisation. Without a GPU
// the section is {"absent": why}, so a CPU run (and the check's dry run) still completes.
json benchCuda(const Args& a) {
    if (!cudaAvailable())
        return {{"absent", torch::cuda::is_available() ? "CUDA reports no usable device"
                                                       : "no CUDA device (or this LibTorch has no CUDA)"}};
    const torch::Device cuda(torch::kCUDA);
    const auto sync = [] { torch::cuda::synchronize(); };
    at::globalContext().setBenchmarkCuDNN(true);
    json out;
    out["devices"] = cudaDeviceCount();
    torch::manual_seed(0);
    auto g = makeGenerator(64);
    g->to(cuda);
    const auto x = benchInput().to(cuda);
    const auto batch = torch::cat(std::vector<torch::Tensor>(a.cuda_batch, benchInput())).to(cuda);
    std::optional<torch::Tensor> reference;
    {
        c10::InferenceMode guard;
        for (const auto& variant : std::vector<std::pair<std::string, torch::Dtype>>{
                 {"fp32", torch::kFloat32}, {"fp16", torch::kFloat16}}) {
            const std::string name = variant.first;
            const torch::Dtype dtype = variant.second;
            FastUnetOptions o;
            o.subpixel = false;
            o.device = cuda;
            o.dtype = dtype;
            FastUnet fast(g, o);
            UnetRunOptions run;
            json r = timeIt(
                [&] {
                    fast.forward(x, run);
                    sync();
                },
                std::max(3, a.warmup), a.iterations);
            const auto y = fast.forward(x, run).to(torch::kCPU, torch::kFloat32);
            if (!reference) reference = y;
            const auto diff = (y - *reference).abs();
            r["max_abs_error_vs_fp32"] = diff.max().item<double>();
            r["mean_abs_error_vs_fp32"] = diff.mean().item<double>();
            out["inference_256_batch1_" + name] = r;
            log("  CUDA inference 256^2 batch 1 " + name + "         " + fmt(r));
            json t = timeIt(
                [&] {
                    fast.forward(batch, run);
                    sync();
                },
                2, std::max(3, a.iterations / 2));
            t["batch"] = a.cuda_batch;
            t["images_per_s"] = double(a.cuda_batch) / (t["p50_ms"].get<double>() / 1e3);
            out["inference_256_batch" + std::to_string(a.cuda_batch) + "_" + name] = t;
            log("  CUDA inference 256^2 batch " + std::to_string(a.cuda_batch) + " " + name + "        " +
                fmt(t) + "  " + std::to_string(int(t["images_per_s"].get<double>())) + " images/s");
        }
    }
    if (!a.skip_train) {
        for (const auto& variant : std::vector<std::pair<std::string, torch::Dtype>>{
                 {"fp32", torch::kFloat32}, {"bf16", torch::kBFloat16}}) {
            const std::string name = variant.first;
            const torch::Dtype dtype = variant.second;
            auto s = makeTrainSetup(64);
            s.g->to(cuda);
            s.d->to(cuda);
            s.realA = s.realA.to(cuda);
            s.realB = s.realB.to(cuda);
            trainStep(s, TrainPath::Naive, dtype, nullptr, cuda);  // warm-up (cuDNN autotuning), untimed
            sync();
            json r = timeIt(
                [&] {
                    trainStep(s, TrainPath::Naive, dtype, nullptr, cuda);
                    sync();
                },
                1, std::max(5, a.train_iterations));
            r["precision"] = name;
            out["training_iteration_256_batch1_" + name] = r;
            log("  CUDA training iteration (G+D, BlockedAdam) " + name + "  " + fmt(r));
        }
    }
    return out;
}

// The targets, judged on this run's rows (ratios, since machines differ). Missing rows are left out.
json targets(const json& r) {
    json out = json::array();
    auto add = [&](const std::string& name, double value, const std::string& relation, double bound) {
        const bool met = relation == ">=" ? value >= bound : value <= bound;
        out.push_back({{"target", name},
                       {"value", value},
                       {"bound", relation + " " + std::to_string(bound).substr(0, 4)},
                       {"met", met}});
        char line[160];
        std::snprintf(line, sizeof line, "  target %-44s %8.2f  (%s %g)  %s", name.c_str(), value,
                      relation.c_str(), bound, met ? "met" : "MISSED");
        log(line);
    };
    const std::string key = "training_iteration_unet256_ngf64_basicD";
    if (r.contains(key)) {
        const json& t = r[key];
        const double naive = t["naive"]["p50_ms"].get<double>(), fast = t["fast"]["p50_ms"].get<double>(),
                     bf16 = t["fast_bf16"]["p50_ms"].get<double>();
        if (r.contains("pytorch_peer") && r["pytorch_peer"].contains("fp32")) {
            const double peer = r["pytorch_peer"]["fp32"]["p50_ms"].get<double>();
            add("bf16 step vs PyTorch eager peer (fp32 step)", peer / bf16, ">=", 3);
            add("bf16 step vs PyTorch eager peer (bf16 autocast)",
                r["pytorch_peer"]["bf16"]["p50_ms"].get<double>() / bf16, ">=", 3);
        }
        add("bf16 step vs our naive step", naive / bf16, ">=", 3);
        add("bf16 step vs our fp32 fast step", fast / bf16, ">=", 2);
        if (r.contains("pytorch_peer") && r["pytorch_peer"].contains("fp32"))
            add("fp32 fast step vs PyTorch eager peer (fp32)",
                r["pytorch_peer"]["fp32"]["p50_ms"].get<double>() / fast, ">=", 1.5);
        add("fp32 fast step vs naive", naive / fast, ">=", 2);
    }
    if (r.contains("save_peak_rss") && r["save_peak_rss"].contains("training_peak_mb")) {
        const json& m = r["save_peak_rss"];
        const double peak = m["training_peak_mb"].get<double>();
        add("peak RSS writing latest.ckpt / training peak", m["checkpoint_save_peak_mb"].get<double>() / peak,
            "<=", 1.1);
        add("peak RSS writing model.p2pm / training peak", m["model_save_peak_mb"].get<double>() / peak,
            "<=", 1.1);
    }
    if (r.contains("inference") && r["inference"].contains("ngf64")) {
        const json& i = r["inference"]["ngf64"];
        add("inference unet_256 ngf64 fp32 p50 ms", i["fast_fp32"]["p50_ms"].get<double>(), "<=", 60);
        const bool amx = cpuBf16Support().amx_bf16;
        add(std::string("inference unet_256 ngf64 bf16 p50 ms (") + (amx ? "AMX" : "AVX512_BF16") + ")",
            i["fast_bf16"]["p50_ms"].get<double>(), "<=", amx ? 20 : 30);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    CLI::App app{"pix2pix-bench: naive eager vs the fast path (inference and training), on this machine"};
    app.add_option("--iterations", a.iterations, "Timed inference iterations per case")
        ->check(CLI::Range(1, 100000));
    app.add_option("--warmup", a.warmup, "Untimed iterations first")->check(CLI::Range(0, 1000));
    app.add_option("--train-iterations", a.train_iterations, "Timed training iterations")
        ->check(CLI::Range(1, 1000));
    app.add_option("--threads", a.threads, "Intra-op threads (0 = one per core)")->check(CLI::Range(0, 1024));
    app.add_option("--ngf", a.ngfs, "Generator widths to measure")->check(CLI::Range(1, 512));
    app.add_flag("--json", a.json, "Print every number as JSON on stdout");
    app.add_flag(
        "--profile", a.profile,
        "Where the time goes: per-layer inference times, the training step's phases (G forward, D "
        "forward/backward, G backward, Adam) and each G and D convolution's forward and backward with "
        "GF/s, fp32 and bf16");
    app.add_flag("--skip-peer", a.skip_peer, "Leave out the PyTorch peer (tools/bench/pytorch_peer.py)");
    app.add_option("--peer-script", a.peer_script, "The PyTorch peer's script (default: the source tree's)")
        ->capture_default_str();
    app.add_option(
        "--python", a.python,
        "Python for the PyTorch peer (default: python3 or /usr/bin/python3, whichever imports torch)");
    app.add_flag("--skip-train", a.skip_train, "Leave out the training iteration");
    app.add_flag("--skip-naive", a.skip_naive, "Leave out the naive inference baseline");
    app.add_option(
        "--data", a.data,
        "Paired folder for the data-pipeline section (default: ../shared/data/facades, else synthetic)");
    app.add_flag("--skip-data", a.skip_data, "Leave out the data-pipeline section");
    app.add_flag("--cuda", a.cuda,
                 "Also the CUDA rows (inference fp32/fp16 at batch 1 and 16, a training "
                 "iteration); marked absent without a GPU");
    app.add_flag("--cuda-only", a.cuda_only, "Only the CUDA rows (tools/gpu-check.sh)");
    app.add_option("--cuda-batch", a.cuda_batch, "Batch of the CUDA throughput row")
        ->check(CLI::Range(1, 1024));
    app.add_flag("--micro", a.micro,
                 "Also time each formulation of the transposed convolution per layer shape");
    CLI11_PARSE(app, argc, argv);

    configureThreads(a.threads);
    json result;
    result["machine"] = {{"cpu", cpuModel()},
                         {"intra_op_threads", intraOpThreads()},
                         {"openblas_threads", openblasThreads()},
                         {"blas", activeBlas()},
                         {"cpu_bf16", cpuBf16Support().describe()},
                         {"device", "cpu"},
                         {"cuda_available", cudaAvailable()},
                         {"torch_parallel_info", at::get_parallel_info()}};
    result["config"] = {{"netG", "unet_256"},
                        {"input", "1x3x256x256"},
                        {"iterations", a.iterations},
                        {"warmup", a.warmup},
                        {"train_iterations", a.train_iterations}};
    result["load_average_at_start"] = loadAverage();
    if (a.cuda || a.cuda_only) {
        result["machine"]["cuda_devices"] = cudaDeviceCount();
        result["cuda"] = benchCuda(a);
        if (result["cuda"].contains("absent"))
            log("  CUDA rows absent: " + result["cuda"]["absent"].get<std::string>());
    }
    if (a.cuda_only) {
        result["peak_rss_mb"] = peakRssMb();
        if (a.json) std::cout << result.dump(2) << std::endl;
        return 0;
    }
    log("pix2pix-bench on " + cpuModel() + ", " + std::to_string(intraOpThreads()) + " threads, CPU bf16 " +
        cpuBf16Support().describe() + ", BLAS " + activeBlas() + ", load average " + loadAverage());

    // The physical limit first: every row below is divided by it.
    result["physical_limit"] = bench::physicalLimit(2, 5);
    const Limits limits{result["physical_limit"]["fp32"]["gflops_per_s"].get<double>(),
                        result["physical_limit"]["bf16"]["gflops_per_s"].get<double>()};
    for (const char* dtype : {"fp32", "bf16"})
        log(std::string("  physical limit ") + dtype + ": " +
            std::to_string(int(result["physical_limit"][dtype]["gflops_per_s"].get<double>())) + " GF/s (" +
            result["physical_limit"][dtype]["kernel"].get<std::string>() + ")");

    if (a.micro) result["micro_transposed_conv_ms"] = bench::microBenchmarks(a.warmup, a.iterations);
    for (int ngf : a.ngfs) result["inference"]["ngf" + std::to_string(ngf)] = benchInference(a, ngf, limits);

    // The engine end to end (image in, image out), as the studio calls it, with its default options.
    {
        torch::manual_seed(0);
        auto g = makeGenerator(64);
        const std::string path = "/tmp/pix2pix-bench-" + std::to_string(::getpid()) + ".p2pm";
        saveModel(path, g, PatchDiscriminator(nullptr), SaveModelOptions{});
        for (const std::string precision : {"fp32", "auto"}) {
            EngineOptions eo;
            eo.precision = precision;
            InferenceEngine engine(eo);
            engine.load(path);
            cv::Mat image(256, 256, CV_8UC3);
            cv::randu(image, 0, 255);
            json r = timeIt([&] { engine.translate(image); }, a.warmup, a.iterations);
            r["describe"] = engine.describe();
            r["precision_report"] = engine.precisionReport();
            result["engine_translate_256_ngf64_" + precision] = r;
            log("  engine translate 256^2 (" + engine.describe() + ") " + fmt(r));
        }
        std::remove(path.c_str());
    }

    if (!a.skip_train) {
        const auto setup = makeTrainSetup(64);
        std::vector<bench::ConvLayer> layers = bench::generatorLayers(setup.g, 256);
        const auto dLayers = bench::discriminatorLayers(setup.d, 256);
        layers.insert(layers.end(), dLayers.begin(), dLayers.end());
        const double stepGflop = bench::trainingStepGflop(bench::generatorLayers(setup.g, 256), dLayers);
        json& training = result["training_iteration_unet256_ngf64_basicD"];
        training = benchTraining(a, limits, stepGflop);
        if (a.profile) result["training_profile"] = profileTraining(a, training, limits, layers);
        result["save_peak_rss"] = benchSavePeak(a);
        if (!a.skip_peer) {
            bench::PeerOptions peer;
            peer.python = a.python;
            peer.script = a.peer_script;
            peer.threads = intraOpThreads();
            peer.iterations = a.train_iterations;
            json p = bench::runPytorchPeer(peer);
            if (p.contains("skipped")) {
                log("  PyTorch peer skipped: " + p["skipped"].get<std::string>());
            } else {
                for (const char* precision : {"fp32", "bf16"}) {
                    const double ms = p[precision]["p50_ms"].get<double>();
                    p[precision]["gflops_per_s"] = stepGflop / (ms / 1e3);
                    log(std::string("  PyTorch eager peer ") + precision + " (torch " +
                        p["torch_version"].get<std::string>() + ", " +
                        std::to_string(p["threads"].get<int>()) + " threads)       p50 " +
                        std::to_string(ms).substr(0, 7) + " ms" +
                        limitText(stepGflop / (ms / 1e3),
                                  limits.of(std::string(precision) == "bf16" ? torch::kBFloat16
                                                                             : torch::kFloat32)));
                }
                const double peerFp32 = p["fp32"]["p50_ms"].get<double>(),
                             peerBf16 = p["bf16"]["p50_ms"].get<double>();
                const double fast = training["fast"]["p50_ms"].get<double>();
                const double bf16 = training["fast_bf16"]["p50_ms"].get<double>();
                p["ratio_fast_fp32_over_peer_fp32"] = peerFp32 / fast;
                p["ratio_fast_bf16_over_peer_fp32"] = peerFp32 / bf16;
                p["ratio_fast_bf16_over_peer_bf16"] = peerBf16 / bf16;
                log("  against the peer: fp32 " + std::to_string(peerFp32 / fast).substr(0, 4) + "x, bf16 " +
                    std::to_string(peerFp32 / bf16).substr(0, 4) + "x of its fp32 step and " +
                    std::to_string(peerBf16 / bf16).substr(0, 4) + "x of its bf16 autocast step");
            }
            result["pytorch_peer"] = p;
        }
    }
    if (!a.skip_data) result["data_pipeline"] = benchDataPipeline(a);
    result["peak_rss_mb"] = peakRssMb();
    log("  peak RSS " + std::to_string(result["peak_rss_mb"].get<double>()) + " MB");
    result["targets"] = targets(result);
    result["load_average_at_end"] = loadAverage();

    if (a.json) std::cout << result.dump(2) << std::endl;
    return 0;
}
