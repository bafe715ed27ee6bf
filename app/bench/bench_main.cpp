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
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/bench/bench_micro.h"
#include "core/common/runtime.h"
#include "core/data/prefetcher.h"
#include "core/infer/inference_engine.h"
#include "core/io/model_io.h"
#include "core/nn/fast_unet.h"

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
    std::vector<int> ngfs{64, 32};
    std::string data;  // paired folder for the data-pipeline section; "" = ../shared/data/facades or synthetic
    bool skip_data = false;
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

json benchInference(const Args& a, int ngf) {
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
        log("  ngf " + std::to_string(ngf) + " " + v.name + std::string(26 - v.name.size(), ' ') + fmt(r) +
            "  max err " + std::to_string(r["max_abs_error"].get<double>()));
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

// The reference pix2pix step (models/pix2pix_model.py optimize_parameters): D on fake (detached) and real,
// (fake + real) / 2, Adam step; then G with GAN (D frozen) + 100 * L1, Adam step.
struct TrainSetup {
    UnetGenerator g{nullptr};
    PatchDiscriminator d{nullptr};
    std::unique_ptr<torch::optim::Adam> optG, optD;
    torch::Tensor realA, realB;
};

TrainSetup makeTrainSetup(int ngf) {
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
    s.optG = std::make_unique<torch::optim::Adam>(s.g->parameters(), adam);
    s.optD = std::make_unique<torch::optim::Adam>(s.d->parameters(), adam);
    s.realA = benchInput();
    s.realB = benchInput();
    return s;
}

enum class TrainPath { Naive, ConvPath, Subpixel };

void trainStep(TrainSetup& s, TrainPath path) {
    auto bce = [](const torch::Tensor& logits, double target) {
        return torch::binary_cross_entropy_with_logits(logits, torch::full_like(logits, target));
    };
    auto fakeB = path == TrainPath::ConvPath   ? unetForwardOnConvPath(s.g, s.realA)
                 : path == TrainPath::Subpixel ? unetForwardFast(s.g, s.realA)
                                               : s.g->forward(s.realA);
    // D
    for (auto& p : s.d->parameters()) p.set_requires_grad(true);
    s.optD->zero_grad();
    auto lossDFake = bce(s.d->forward(torch::cat({s.realA, fakeB.detach()}, 1)), 0.0);
    auto lossDReal = bce(s.d->forward(torch::cat({s.realA, s.realB}, 1)), 1.0);
    ((lossDFake + lossDReal) * 0.5).backward();
    s.optD->step();
    // G
    for (auto& p : s.d->parameters()) p.set_requires_grad(false);
    s.optG->zero_grad();
    auto lossGan = bce(s.d->forward(torch::cat({s.realA, fakeB}, 1)), 1.0);
    auto lossL1 = torch::l1_loss(fakeB, s.realB) * 100.0;
    (lossGan + lossL1).backward();
    s.optG->step();
}

// Naive first, with glibc's default allocator behaviour (as a plain LibTorch or Python program has it); then
// what the trainer does: freed memory kept for reuse (process-wide from here on), and G's transposed convs
// on oneDNN's convolution path.
json benchTraining(const Args& a) {
    json out;
    const int n = a.train_iterations;
    auto measure = [&](const char* key, const char* label, TrainPath path) {
        auto s = makeTrainSetup(64);
        out[key] = timeIt([&] { trainStep(s, path); }, 1, n);
        log(std::string("  ") + label + fmt(out[key]));
    };
    measure("naive", "training iteration naive (LibTorch defaults)        ", TrainPath::Naive);
    keepFreedMemoryForReuse();
    measure("naive_memory_reuse", "training iteration naive + freed memory reused     ", TrainPath::Naive);
    measure("subpixel_memory_reuse", "training iteration sub-pixel transposed convs      ",
            TrainPath::Subpixel);
    measure("fast", "training iteration fast (the trainer's CPU path)   ", TrainPath::ConvPath);
    out["fast_path"] = "freed memory reused + transposed convs as Conv2d backward-data on oneDNN";
    out["speedup"] = out["naive"]["p50_ms"].get<double>() / out["fast"]["p50_ms"].get<double>();
    log("  training speedup over naive: " + std::to_string(out["speedup"].get<double>()).substr(0, 4) + "x");
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
        out[key] = {{"loop_ms_per_step", total / taken},
                    {"wait_ms_per_step", stats.wait_seconds * 1e3 / taken},
                    {"blocked_steps", stats.blocked_calls - (threads == 0 ? 0 : 1)},  // the first batch always waits
                    {"steps", taken}};
        log("  data " + key + ": wait " + std::to_string(stats.wait_seconds * 1e3 / taken) + " ms per step of " +
            std::to_string(total / taken) + " ms; " + std::to_string(stats.blocked_calls) + " of " +
            std::to_string(taken) + " steps found their batch not ready");
    }
    if (!synthetic.empty()) fs::remove_all(synthetic);
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
    app.add_flag("--profile", a.profile, "Per-layer timing of the fast path");
    app.add_flag("--skip-train", a.skip_train, "Leave out the training iteration");
    app.add_flag("--skip-naive", a.skip_naive, "Leave out the naive inference baseline");
    app.add_option("--data", a.data,
                   "Paired folder for the data-pipeline section (default: ../shared/data/facades, else synthetic)");
    app.add_flag("--skip-data", a.skip_data, "Leave out the data-pipeline section");
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
    log("pix2pix-bench on " + cpuModel() + ", " + std::to_string(intraOpThreads()) + " threads, BLAS " +
        activeBlas());

    if (a.micro) result["micro_transposed_conv_ms"] = bench::microBenchmarks(a.warmup, a.iterations);
    for (int ngf : a.ngfs) result["inference"]["ngf" + std::to_string(ngf)] = benchInference(a, ngf);

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

    if (!a.skip_train) result["training_iteration_unet256_ngf64_basicD"] = benchTraining(a);
    if (!a.skip_data) result["data_pipeline"] = benchDataPipeline(a);
    result["peak_rss_mb"] = peakRssMb();
    log("  peak RSS " + std::to_string(result["peak_rss_mb"].get<double>()) + " MB");

    if (a.json) std::cout << result.dump(2) << std::endl;
    return 0;
}
