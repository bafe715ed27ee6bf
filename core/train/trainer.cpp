#include "core/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/common/torch_device.h"
#include "core/data/deterministic_random.h"
#include "core/data/prefetcher.h"
#include "core/data/tensor_image.h"
#include "core/dist/collectives.h"
#include "core/io/image_io.h"
#include "core/io/model_io.h"
#include "core/nn/fast_unet.h"
#include "core/nn/mixed_precision.h"
#include "core/nn/networks.h"
#include "core/train/blocked_adam.h"
#include "core/train/checkpoint.h"
#include "core/train/run_folder.h"
#include "core/train/train_losses.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string firstLine(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

void setRequiresGrad(torch::nn::Module& module, bool requiresGrad) {
    for (auto& p : module.parameters()) p.set_requires_grad(requiresGrad);
}

torch::optim::AdamOptions adamOptions(const TrainOptions& o, double lr) {
    return torch::optim::AdamOptions(lr).betas(std::make_tuple(o.beta1, 0.999));
}

void setLearningRate(torch::optim::Adam& optimizer, double lr) {
    for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

bool isOutOfMemory(const std::string& message) {
    return message.find("out of memory") != std::string::npos ||
           message.find("can't allocate memory") != std::string::npos ||
           message.find("Out of memory") != std::string::npos;
}

// Applies the change and logs each setting it changes into `report`.
void applyScheduleChange(TrainOptions& o, const Trainer::ScheduleChange& change, ResumeReport& report) {
    auto apply = [&](const char* name, int& field, const std::optional<int>& value) {
        if (!value) return;
        if (*value != field)
            report.overrides.push_back(std::string(name) + ": saved " + std::to_string(field) + ", now " +
                                       std::to_string(*value) + " (given with the resume)");
        field = *value;
    };
    apply("n_epochs", o.n_epochs, change.n_epochs);
    apply("n_epochs_decay", o.n_epochs_decay, change.n_epochs_decay);
    apply("save_epoch_freq", o.save_epoch_freq, change.save_epoch_freq);
    apply("save_latest_freq", o.save_latest_freq, change.save_latest_freq);
    apply("sample_freq", o.sample_freq, change.sample_freq);
    apply("log_freq", o.log_freq, change.log_freq);
    apply("keep_checkpoints", o.keep_checkpoints, change.keep_checkpoints);
}

void appendReport(ResumeReport& into, const ResumeReport& more) {
    into.overrides.insert(into.overrides.end(), more.overrides.begin(), more.overrides.end());
    into.differences.insert(into.differences.end(), more.differences.begin(), more.differences.end());
    into.numerics_overridden = into.numerics_overridden || more.numerics_overridden;
}

std::string absoluteDataroot(const std::string& path) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(path, ec);
    return ec ? path : absolute.lexically_normal().string();
}

// Where a resumed run reads its data: the folder given with the resume (moved data), else the recorded one.
// Runs that predate absolute paths recorded the folder as given; it is tried from here.
void chooseResumeData(TrainOptions& o, const std::optional<std::string>& given, ResumeReport& report) {
    if (given) {
        const std::string now = absoluteDataroot(*given);
        if (now != o.dataroot)
            report.overrides.push_back("dataroot: saved " + o.dataroot + ", now " + now +
                                       " (given with the resume; it must hold the same files)");
        o.dataroot = now;
        return;
    }
    if (fs::path(o.dataroot).is_relative()) {
        std::error_code ec;
        if (!fs::is_directory(o.dataroot, ec))
            throw Error("the run recorded its dataset as the relative path " + o.dataroot +
                        ", which does not exist from " + fs::current_path(ec).string() +
                        ": give the dataset's folder with pix2pix train --resume RUN --data FOLDER");
        o.dataroot = absoluteDataroot(o.dataroot);
    }
    std::error_code ec;
    if (!fs::is_directory(o.dataroot, ec))
        throw Error("the run's dataset folder " + o.dataroot +
                    " does not exist (moved or renamed?): give its new place with pix2pix train --resume RUN "
                    "--data FOLDER; it must hold the same files");
}

}  // namespace

struct Trainer::Impl {
    TrainOptions options;
    RunFolder run{std::string()};
    Device device = Device::cpu();
    torch::Device torchDevice{torch::kCPU};
    DatasetScan scan;
    std::vector<PairEntry> pairs;
    std::unique_ptr<PairPrefetcher> data;
    std::mutex skippedMutex;
    std::vector<std::string> skipped;
    bool dataPositioned = false;  // the prefetcher is at `position`

    UnetGenerator G{nullptr};
    PatchDiscriminator D{nullptr};
    std::unique_ptr<torch::optim::Adam> optimizerG, optimizerD;
    GanLoss ganLoss{GanMode::Vanilla};

    TrainingPosition position;
    std::atomic<int64_t> iterationShared{0};
    std::atomic<int> epochShared{1};
    double lr = 0;
    double elapsedSeconds = 0;  // training time, pauses excluded, across resumes
    int64_t iterationsPerEpoch = 0;
    std::string lastCheckpoint;
    int64_t poisonIteration = -1;
    // Set when a step produced a non-finite loss: that step's optimizer updates already ran, so the networks
    // in memory are no longer the last good ones, and nothing may be saved from them.
    std::string nonFiniteFailure;

    ResumeReport resumeReport;

    // Data parallelism (null: a single process, exactly as before).
    std::shared_ptr<DistributedContext> dist;
    std::unique_ptr<GradientAllReducer> reduceG, reduceD;
    bool agreedStop = false;  // every rank stops after the same step
    // For a save after a lost peer: whether the networks and Adam are still those of `position` (no optimizer
    // step of the failed step ran yet), and the CPU generator's state at that point.
    bool consistent = true;
    torch::Tensor rngAtPosition;

    bool isMain() const { return !dist || dist->isMain(); }
    int worldSize() const { return dist ? dist->worldSize() : 1; }
    int rank() const { return dist ? dist->rank() : 0; }

    // OpenMP keeps the thread count per calling thread, and a trainer may be built on one thread and run on
    // another: every entry point that computes sets it.
    void useComputeThreads() const { configureThreads(options.compute_threads); }

    std::atomic<bool> pauseRequested{false};
    std::atomic<bool> stopRequested{false};
    std::mutex pauseMutex;
    std::condition_variable pauseChanged;

    std::string dataFingerprint;  // of the training pairs, recorded in every checkpoint

    void openData() {
        scan = scanPairedFolder(options.dataroot, {}, options.scanOptions());
        for (auto& note : preprocessNotes(scan, options.transformOptions())) scan.notes.push_back(note);
        const std::string split = scan.trainSplit();
        pairs = scan.split(split);
        dataFingerprint = datasetFingerprint(scan, split);
        if (pairs.empty())
            throw Error(options.dataroot + ": no training pairs" +
                        (split.empty() ? "" : " in '" + split + "'"));
        data = std::make_unique<PairPrefetcher>(scan, split, options.directionValue(),
                                                options.transformOptions(), options.batch_size, options.seed,
                                                options.num_threads);
        data->setSkipCallback([this](const std::string& path, const std::string& reason) {
            std::lock_guard<std::mutex> lock(skippedMutex);
            skipped.push_back("skipped " + path + ": " + reason);
        });
        if (dist) data->setShard(dist->rank(), dist->worldSize());
        iterationsPerEpoch = data->batchesPerEpoch();
    }

    // Every rank starts from rank 0's weights and buffers (as DDP's constructor does); then ranks other than
    // 0 draw their own dropout masks. Rank 0 keeps the single-process stream.
    void shareWeightsAndSeedRanks(bool reseed) {
        std::vector<torch::Tensor> tensors;
        for (auto* module :
             {static_cast<torch::nn::Module*>(G.get()), static_cast<torch::nn::Module*>(D.get())}) {
            for (auto& p : module->parameters()) tensors.push_back(p);
            for (auto& b : module->buffers()) tensors.push_back(b);
        }
        broadcastTensors(*dist, tensors, 0);
        if (reseed && dist->rank() > 0)
            torch::manual_seed(detail::deriveSeed(options.seed, 0x72616E6Bull /* "rank" */,
                                                  static_cast<uint64_t>(dist->rank())));
    }

    // The step's losses become the mean over the ranks (what one process with the whole batch would log),
    // and a stop asked of any rank becomes every rank's.
    void agreeOnStep(double& gGan, double& gL1, double& dReal, double& dFake) {
        auto values = torch::tensor({gGan, gL1, dReal, dFake, stopRequested.load() ? 1.0 : 0.0},
                                    torch::TensorOptions().dtype(torch::kFloat64));
        if (dist->backend() == DistBackend::Nccl) values = values.to(torchDevice);
        allReduceMean(*dist, {values});
        values = values.to(torch::kCPU);
        const double* v = values.data_ptr<double>();
        gGan = v[0];
        gL1 = v[1];
        dReal = v[2];
        dFake = v[3];
        if (v[4] > 0) agreedStop = true;
    }

    // Skip notes come from decoding threads; the observer hears them on the training thread.
    void deliverSkipped(TrainingObserver& observer) {
        std::vector<std::string> notes;
        {
            std::lock_guard<std::mutex> lock(skippedMutex);
            notes.swap(skipped);
        }
        for (const auto& note : notes) observer.onMessage(note);
    }

    void buildNetworks() {
        G = UnetGenerator(options.generatorOptions());
        initWeights(*G, options.init_gain);
        D = PatchDiscriminator(options.discriminatorOptions());
        initWeights(*D, options.init_gain);
        useParameterDtype();
    }

    // Double for an fp64 run (before weights are loaded into them, so that none is rounded to float).
    torch::Dtype parameterDtype() const {
        return options.precision == TrainPrecision::FP64 ? torch::kFloat64 : torch::kFloat32;
    }
    // Floating-point tensors only: LibTorch 2.x's Module::to(dtype) would also turn BatchNorm's integer
    // num_batches_tracked into a float.
    void useParameterDtype() {
        if (parameterDtype() == torch::kFloat32) return;
        torch::NoGradGuard noGrad;
        for (auto* module : {static_cast<torch::nn::Module*>(G.get()), static_cast<torch::nn::Module*>(D.get())}) {
            for (auto& p : module->parameters()) p.set_data(p.to(parameterDtype()));
            for (auto& b : module->buffers())
                if (b.is_floating_point()) b.set_data(b.to(parameterDtype()));
        }
    }

    void buildOptimizers() {
        keepFreedMemoryForReuse();
        G->to(torchDevice);
        D->to(torchDevice);
        G->train();
        D->train();
        // torch::optim::Adam's arithmetic, run from cache (core/train/blocked_adam.h).
        optimizerG = std::make_unique<BlockedAdam>(G->parameters(), adamOptions(options, lr));
        optimizerD = std::make_unique<BlockedAdam>(D->parameters(), adamOptions(options, lr));
        ganLoss = GanLoss(ganModeFromString(options.gan_mode));
        if (dist) {
            reduceG = std::make_unique<GradientAllReducer>(dist, G->parameters());
            reduceD = std::make_unique<GradientAllReducer>(dist, D->parameters());
        }
    }

    void publishPosition() {
        iterationShared = position.iteration;
        epochShared = position.epoch;
    }

    TrainingProgress progress(double itPerSecond) const {
        TrainingProgress p;
        p.epoch = std::min(position.epoch, options.totalEpochs());
        p.total_epochs = options.totalEpochs();
        p.iteration = position.iteration;
        p.iterations_per_epoch = iterationsPerEpoch;
        p.total_iterations = iterationsPerEpoch * options.totalEpochs();
        p.iterations_per_second = itPerSecond;
        p.eta_seconds = itPerSecond > 0 ? double(p.total_iterations - p.iteration) / itPerSecond : 0;
        return p;
    }

    // The networks' and optimizers' own tensors, not copies: valid until the next step.
    TrainingCheckpoint makeCheckpoint() const {
        TrainingCheckpoint c;
        c.options = options;
        c.position = position;
        c.lr = lr;
        c.dataset_size = static_cast<int64_t>(pairs.size());
        c.data_fingerprint = dataFingerprint;
        c.iterations_per_epoch = iterationsPerEpoch;
        c.elapsed_seconds = elapsedSeconds;
        c.device = device;
        c.environment = NumericsEnvironment::current();
        c.generator = stateDictOf(*G);
        c.discriminator = stateDictOf(*D);
        // Written before the next step changes them: no copy of the moments.
        c.adam_generator = captureAdamState(*optimizerG, *G, AdamCapture::Reference);
        c.adam_discriminator = captureAdamState(*optimizerD, *D, AdamCapture::Reference);
        c.cpu_rng = captureCpuRng();
        c.cuda_rng = captureCudaRng(device);
        c.world_size = worldSize();
        return c;
    }

    // Every rank's generator states, gathered to every rank (collective: all ranks call it at the same step).
    void gatherRankRng(TrainingCheckpoint& c) {
        if (!dist) return;
        auto gather = [&](const torch::Tensor& state) {
            torch::Tensor t = state;
            if (dist->backend() == DistBackend::Nccl) t = t.to(torchDevice);
            auto all = allGather(*dist, t);
            return std::vector<torch::Tensor>(all.begin() + 1, all.end());
        };
        c.rank_cpu_rng = gather(c.cpu_rng);
        if (c.cuda_rng.defined()) c.rank_cuda_rng = gather(c.cuda_rng);
    }

    void refuseIfPoisoned(const std::string& what) const {
        if (!nonFiniteFailure.empty())
            throw Error("not writing " + what + ": " + nonFiniteFailure +
                        (lastCheckpoint.empty() ? "" : " The last good checkpoint is " + lastCheckpoint + "."));
    }

    std::string save(bool epochCopy, int completedEpoch) {
        refuseIfPoisoned(run.latestCheckpoint());
        TrainingCheckpoint checkpoint = makeCheckpoint();
        gatherRankRng(checkpoint);
        if (!isMain()) return run.latestCheckpoint();  // rank 0 writes the run folder
        fs::create_directories(run.checkpointsDir());
        saveTrainingCheckpoint(checkpoint, {run.latestCheckpoint()});
        lastCheckpoint = run.latestCheckpoint();
        if (epochCopy) {
            exportModel(run.epochSnapshot(completedEpoch), options.snapshot_half);
            run.pruneSnapshots(options.keep_checkpoints);
        }
        return lastCheckpoint;
    }

    void exportModel(const std::string& path, bool half) const {
        refuseIfPoisoned(path);
        SaveModelOptions o;
        o.half = half;
        o.name = run.name();
        o.direction = options.direction;
        o.metadata = {{"trained_with", "pix2pix-studio " + version()},
                      {"iteration", position.iteration},
                      {"epochs_completed", position.epoch - 1},
                      {"dataroot", options.dataroot},
                      {"options", options.toJson()}};
        saveModel(path, G, D, o);
    }

    struct StepResult {
        double G_GAN = 0, G_L1 = 0, D_real = 0, D_fake = 0;
    };

    // One optimize_parameters() of the reference's pix2pix_model.py.
    StepResult step(const TrainingBatch& batch, TrainingSample* sample) {
        torch::Tensor realA = batch.input.to(torchDevice, parameterDtype()),
                      realB = batch.target.to(torchDevice, parameterDtype());
        // CUDA's ConvTranspose2d is fast; the fast path is oneDNN's, which has no double kernels.
        const bool fastPath = options.fastPathActive() && torchDevice.is_cpu();
        if (position.iteration + 1 == poisonIteration)
            realA = torch::full_like(realA, std::numeric_limits<float>::quiet_NaN());

        // Mixed precision: the forward passes run under autocast (their convolutions, and so their backward,
        // in bf16); one scope per pass, each ended before an optimizer step changes the weights it cast.
        // Losses (GanLoss, the L1 term) and the weights, gradients and Adam state stay fp32.
        const torch::Dtype convDtype =
            options.precision == TrainPrecision::BF16 ? torch::kBFloat16 : torch::kFloat32;
        torch::Tensor fakeB;
        {
            AutocastScope autocast(convDtype, torchDevice);
            fakeB = fastPath ? unetForwardOnConvPath(G, realA) : G->forward(realA);
        }

        setRequiresGrad(*D, true);
        releaseGradients(*optimizerD);
        torch::Tensor predFake, predReal;
        {
            AutocastScope autocast(convDtype, torchDevice);
            predFake = D->forward(torch::cat({realA, fakeB}, 1).detach());
            predReal = D->forward(torch::cat({realA, realB}, 1));
        }
        const torch::Tensor lossDFake = ganLoss(predFake, false);
        const torch::Tensor lossDReal = ganLoss(predReal, true);
        const torch::Tensor lossD = (lossDFake + lossDReal) * 0.5;
        if (reduceD) reduceD->beginBackward();
        lossD.backward();
        if (reduceD) reduceD->averageGradients();
        consistent = false;  // from here on the networks are no longer those of `position`
        optimizerD->step();

        setRequiresGrad(*D, false);
        releaseGradients(*optimizerG);
        torch::Tensor predFakeForG;
        {
            AutocastScope autocast(convDtype, torchDevice);
            predFakeForG = D->forward(torch::cat({realA, fakeB}, 1));
        }
        const torch::Tensor lossGGAN = ganLoss(predFakeForG, true);
        const torch::Tensor lossGL1 = torch::l1_loss(fakeB.to(realB.scalar_type()), realB) * options.lambda_L1;
        const torch::Tensor lossG = lossGGAN + lossGL1;
        if (reduceG) reduceG->beginBackward();
        lossG.backward();
        if (reduceG) reduceG->averageGradients();
        optimizerG->step();

        const auto losses =
            torch::stack({lossGGAN, lossGL1, lossDReal, lossDFake}).detach().to(torch::kCPU, torch::kFloat64);
        const double* v = losses.data_ptr<double>();
        StepResult r{v[0], v[1], v[2], v[3]};
        if (dist) agreeOnStep(r.G_GAN, r.G_L1, r.D_real, r.D_fake);
        if (sample) {
            torch::NoGradGuard noGrad;
            sample->name = batch.names.empty() ? std::string() : batch.names.front();
            sample->input = tensorToImage(realA[0]);
            sample->generated = tensorToImage(fakeB[0].detach());
            sample->target = tensorToImage(realB[0]);
            sample->d_real = tensorToFloatMap(ganLoss.probability(predReal[0][0].detach()));
            sample->d_fake = tensorToFloatMap(ganLoss.probability(predFake[0][0].detach()));
        }
        return r;
    }

    // Returns false when a stop was requested. Blocks while paused without burning CPU.
    bool waitWhilePaused(TrainingObserver& observer, bool& paused) {
        if (!pauseRequested.load()) return !stopRequested.load();
        if (stopRequested.load()) return false;
        paused = true;
        observer.onStateChanged(TrainingState::Paused);
        {
            std::unique_lock<std::mutex> lock(pauseMutex);
            pauseChanged.wait(lock, [&] { return !pauseRequested.load() || stopRequested.load(); });
        }
        if (stopRequested.load()) return false;
        observer.onStateChanged(TrainingState::Running);
        return true;
    }

    // A new run in options.run_dir (the caller checked that the folder may be used).
    void startFresh(TrainOptions o);

    enum class LoopEnd { Finished, Stopped, StepLimit };

    // The epoch loop of the reference's train.py. `saving` turns on checkpoints (run) or off (runSteps).
    LoopEnd loop(TrainingObserver& observer, int64_t maxSteps, bool saving);
    LoopEnd epochs(TrainingObserver& observer, int64_t maxSteps, bool saving);

    void markConsistent() {
        if (!dist) return;
        consistent = true;
        rngAtPosition = captureCpuRng();
    }

    // After a lost peer, rank 0 leaves a resumable latest checkpoint when the networks are still those of
    // `position` (the failure came before this step's first optimizer step); else the last one stays.
    std::string saveAfterLostPeer(bool saving) {
        if (!isMain() || !saving) return "";
        if (consistent && nonFiniteFailure.empty()) {
            try {
                TrainingCheckpoint c = makeCheckpoint();
                if (rngAtPosition.defined()) c.cpu_rng = rngAtPosition;
                fs::create_directories(run.checkpointsDir());
                saveTrainingCheckpoint(c, {run.latestCheckpoint()});
                lastCheckpoint = run.latestCheckpoint();
                return " Rank 0 saved " + lastCheckpoint + " at iteration " +
                       std::to_string(position.iteration) + ": continue with pix2pix train --resume " +
                       options.run_dir + " (on any number of ranks).";
            } catch (const std::exception& e) {
                return std::string(" Rank 0 could not save a checkpoint: ") + e.what();
            }
        }
        if (lastCheckpoint.empty()) return " No checkpoint was written before it.";
        return " The last checkpoint is kept: " + lastCheckpoint + ": continue with pix2pix train --resume " +
               options.run_dir + ".";
    }
};

Trainer::Impl::LoopEnd Trainer::Impl::loop(TrainingObserver& observer, int64_t maxSteps, bool saving) {
    if (!dist) return epochs(observer, maxSteps, saving);
    markConsistent();
    try {
        return epochs(observer, maxSteps, saving);
    } catch (const DistributedFailure& e) {
        throw DistributedFailure("training stopped at iteration " + std::to_string(position.iteration) +
                                 ": " + e.what() + "." + saveAfterLostPeer(saving));
    }
}

Trainer::Impl::LoopEnd Trainer::Impl::epochs(TrainingObserver& observer, int64_t maxSteps, bool saving) {
    const int totalEpochs = options.totalEpochs();
    int64_t stepsDone = 0;
    auto lastReport = Clock::now();
    int64_t iterationAtLastReport = position.iteration;
    double rate = 0;
    auto reportProgress = [&](bool force) {
        const double dt = secondsSince(lastReport);
        if (!force && dt < 0.5) return;
        if (dt > 0 && position.iteration > iterationAtLastReport) {
            const double current = double(position.iteration - iterationAtLastReport) / dt;
            rate = rate > 0 ? 0.7 * rate + 0.3 * current : current;
        }
        lastReport = Clock::now();
        iterationAtLastReport = position.iteration;
        observer.onProgress(progress(rate));
    };

    while (position.epoch <= totalEpochs) {
        auto epochStart = Clock::now();
        const bool wholeEpoch = position.epoch_iteration == 0;
        int64_t stepsThisEpoch = 0;
        if (!dataPositioned) {
            data->startEpoch(position.epoch, position.epoch_iteration);
            dataPositioned = true;
        }
        while (position.epoch_iteration < iterationsPerEpoch) {
            if (stepsDone >= maxSteps) return LoopEnd::StepLimit;
            bool paused = false;
            if (dist ? agreedStop : !waitWhilePaused(observer, paused)) return LoopEnd::Stopped;
            if (paused) {  // the pause does not count towards the speed
                lastReport = Clock::now();
                iterationAtLastReport = position.iteration;
            }
            const auto stepStart = Clock::now();

            std::optional<TrainingBatch> batch = data->next();
            deliverSkipped(observer);
            if (!batch) {  // every remaining file of the epoch failed to load
                if (wholeEpoch && stepsThisEpoch == 0)
                    throw Error("none of the " + std::to_string(pairs.size()) + " training pairs of " +
                                options.dataroot +
                                " could be loaded (each skipped file is named above with its reason)");
                break;
            }
            const int64_t nextIteration = position.iteration + 1;
            const bool wantSample =
                isMain() && options.sample_freq > 0 && nextIteration % options.sample_freq == 0;
            TrainingSample sample;
            StepResult r;
            try {
                r = step(*batch, wantSample ? &sample : nullptr);
            } catch (const DistributedFailure&) {
                throw;
            } catch (const Error&) {
                throw;
            } catch (const std::exception& e) {
                const std::string message = e.what();
                if (isOutOfMemory(message))
                    throw Error("out of memory on " + device.str() + " at iteration " +
                                std::to_string(nextIteration) +
                                ": lower batch_size, crop_size, ngf or ndf (" + firstLine(message) + ")");
                throw Error("training step " + std::to_string(nextIteration) +
                            " failed: " + firstLine(message));
            }
            if (!std::isfinite(r.G_GAN) || !std::isfinite(r.G_L1) || !std::isfinite(r.D_real) ||
                !std::isfinite(r.D_fake)) {
                std::ostringstream m;
                m << "training stopped at iteration " << nextIteration << " (epoch " << position.epoch
                  << "): the loss is not finite (G_GAN " << r.G_GAN << ", G_L1 " << r.G_L1 << ", D_real "
                  << r.D_real << ", D_fake " << r.D_fake << "). ";
                if (lastCheckpoint.empty())
                    m << "No checkpoint was written before it.";
                else
                    m << "The last good checkpoint is kept: " << lastCheckpoint << ".";
                m << " Lower the learning rate or check the data.";
                nonFiniteFailure = "the loss became non-finite at iteration " + std::to_string(nextIteration) +
                                   ", so the networks in memory are no longer usable.";
                throw Error(m.str());
            }
            ++position.iteration;
            position.epoch_iteration = batch->batch_index + 1;
            ++stepsDone;
            ++stepsThisEpoch;
            elapsedSeconds += secondsSince(stepStart);
            publishPosition();
            markConsistent();

            if (position.iteration % options.log_freq == 0) {
                LossSample l;
                l.iteration = position.iteration;
                l.epoch = position.epoch;
                l.G_GAN = r.G_GAN;
                l.G_L1 = r.G_L1;
                l.D_real = r.D_real;
                l.D_fake = r.D_fake;
                l.lr = lr;
                if (isMain()) run.appendLosses(l, elapsedSeconds);
                observer.onLosses(l);
                reportProgress(true);
            } else {
                reportProgress(false);
            }
            if (wantSample) {
                sample.iteration = position.iteration;
                sample.epoch = position.epoch;
                if (isMain()) run.writeSample(sample);
                observer.onSample(sample);
            }
            if (saving && options.save_latest_freq > 0 &&
                position.iteration % options.save_latest_freq == 0 &&
                position.epoch_iteration < iterationsPerEpoch)
                observer.onCheckpoint(save(false, 0));
        }

        // End of the epoch: the reference's update_learning_rate(), then the epoch's checkpoint.
        const int completed = position.epoch;
        observer.onEpochEnd(completed, secondsSince(epochStart));
        lr = options.learningRateAt(completed);
        setLearningRate(*optimizerG, lr);
        setLearningRate(*optimizerD, lr);
        ++position.epoch;
        position.epoch_iteration = 0;
        dataPositioned = false;
        publishPosition();
        if (saving) {
            const bool epochCopy = options.save_epoch_freq > 0 && completed % options.save_epoch_freq == 0;
            const bool periodic =
                options.save_latest_freq > 0 && position.iteration % options.save_latest_freq == 0;
            if (epochCopy || periodic || completed == totalEpochs) {
                save(epochCopy, completed);
                observer.onCheckpoint(epochCopy ? run.epochSnapshot(completed) : lastCheckpoint);
            }
        }
        reportProgress(true);
    }
    return LoopEnd::Finished;
}

Trainer::Trainer() : impl_(std::make_unique<Impl>()) {}

Trainer::Trainer(TrainOptions options, std::shared_ptr<DistributedContext> distributed) : Trainer() {
    options.validate();
    impl_->dist = std::move(distributed);
    if (impl_->isMain() && RunFolder(options.run_dir).holdsRun())
        throw Error(options.run_dir + " already holds a training run: resume it, or choose another run folder");
    impl_->startFresh(std::move(options));
}

void Trainer::Impl::startFresh(TrainOptions o) {
    options = std::move(o);
    run = RunFolder(options.run_dir);
    device = options.device.resolved();
    torchDevice = p2p::torchDevice(device);
    // Recorded as resolved, so that a resume repeats them wherever "auto" or "one per core" would differ.
    options.device = device;
    options.precision = resolvePrecision(options.precision, device, cpuBf16Support().any());
    // Absolute, so that a resume from another working folder finds the data.
    options.dataroot = absoluteDataroot(options.dataroot);
    if (options.compute_threads <= 0) options.compute_threads = hardwareThreads();
    useComputeThreads();
    openData();

    if (isMain()) {
        std::error_code ec;
        fs::create_directories(run.checkpointsDir(), ec);
        if (ec) throw Error("cannot create the run folder " + options.run_dir + ": " + ec.message());
        run.writeOptions(options);
    }

    // The reference seeds, then builds and initialises G before D.
    torch::manual_seed(options.seed);
    buildNetworks();
    lr = options.learningRateAt(0);
    buildOptimizers();
    if (dist) shareWeightsAndSeedRanks(true);
    publishPosition();
}

namespace {

// Temporary files of atomic writes (".NAME.tmp.PID.N") that a killed process left behind.
}  // namespace

bool Trainer::ScheduleChange::empty() const {
    return !n_epochs && !n_epochs_decay && !save_epoch_freq && !save_latest_freq && !sample_freq && !log_freq &&
           !keep_checkpoints;
}

std::unique_ptr<Trainer> Trainer::resume(const std::string& runDir, const ScheduleChange& change,
                                         const ExecutionChange& execution,
                                         const std::optional<std::string>& dataroot,
                                         std::shared_ptr<DistributedContext> distributed) {
    const RunFolder run(runDir);
    if (!fs::is_directory(runDir)) throw Error(runDir + ": no such run folder");
    if (!run.holdsRun())
        throw Error(runDir + " has no checkpoint to resume from (expected " + run.latestCheckpoint() + ")");
    const bool main = !distributed || distributed->isMain();
    // This process owns the run from here: what an earlier, killed one was writing is garbage.
    if (main) run.removeStaleTemporaries();
    if (!run.hasCheckpoint()) {
        // The run was stopped (killed) before its first checkpoint: start it again from its saved options.
        TrainOptions o;
        try {
            o = run.readOptions();
        } catch (const Error& e) {
            throw Error(std::string(e.what()) + ", and the run has no checkpoint to resume from");
        }
        o.run_dir = runDir;
        ResumeReport report;
        chooseResumeData(o, dataroot, report);
        applyScheduleChange(o, change, report);
        appendReport(report, planResume(o, o.device, nullptr, execution, NumericsEnvironment::current()));
        o.validate();
        std::unique_ptr<Trainer> trainer(new Trainer());
        if (main) run.removeLosses();  // the log of steps that no checkpoint holds
        trainer->impl_->dist = distributed;
        trainer->impl_->startFresh(std::move(o));
        trainer->impl_->resumeReport = std::move(report);
        return trainer;
    }
    TrainingCheckpoint c = loadTrainingCheckpoint(run.latestCheckpoint());

    std::unique_ptr<Trainer> trainer(new Trainer());
    auto& m = *trainer->impl_;
    m.dist = distributed;
    m.options = c.options;
    m.options.run_dir = runDir;  // the folder may have moved
    const nlohmann::json savedOptions = m.options.toJson();
    chooseResumeData(m.options, dataroot, m.resumeReport);
    applyScheduleChange(m.options, change, m.resumeReport);
    // The threads and device the run computed with, where this machine allows, unless overridden.
    appendReport(m.resumeReport, planResume(m.options, c.device, c.environment ? &*c.environment : nullptr,
                                            execution, NumericsEnvironment::current()));
    m.options.validate();
    if (!change.empty()) {
        const int epochsDone = static_cast<int>(c.position.iteration / std::max<int64_t>(c.iterations_per_epoch, 1));
        if (m.options.n_epochs + m.options.n_epochs_decay < epochsDone)
            throw Error("the new schedule (" + std::to_string(m.options.n_epochs + m.options.n_epochs_decay) +
                        " epochs) is shorter than what the run has already trained (" + std::to_string(epochsDone) +
                        " epochs)");
    }
    // options.json says how the run computes from here on (older runs also gain their resolved settings).
    if (main && m.options.toJson() != savedOptions) run.writeOptions(m.options);
    m.run = run;
    m.device = m.options.device.resolved();
    m.torchDevice = p2p::torchDevice(m.device);
    m.useComputeThreads();
    m.openData();
    // Moved data must be the same data: the order of the pairs, and so the run, depends on every name.
    if (dataroot && !c.data_fingerprint.empty() && m.dataFingerprint != c.data_fingerprint)
        throw Error(m.options.dataroot + " does not hold the data this run trained on: its training pairs' "
                    "file names and sizes give " + m.dataFingerprint + ", the run recorded " +
                    c.data_fingerprint + ". Point --data at the same files, or start a new run");
    const int world = m.worldSize();
    if (static_cast<int64_t>(m.pairs.size()) != c.dataset_size ||
        (world == c.world_size && m.iterationsPerEpoch != c.iterations_per_epoch))
        throw Error(m.options.dataroot + " now holds " + std::to_string(m.pairs.size()) +
                    " training pairs, but the run was trained on " + std::to_string(c.dataset_size) +
                    ": the data order cannot be continued; restore the data or start a new run");

    m.G = UnetGenerator(m.options.generatorOptions());
    m.D = PatchDiscriminator(m.options.discriminatorOptions());
    m.useParameterDtype();
    loadStateDict(*m.G, c.generator, run.latestCheckpoint() + " (generator)");
    loadStateDict(*m.D, c.discriminator, run.latestCheckpoint() + " (discriminator)");
    // Mid-epoch the saved rate runs on (a new rule applies from the next epoch); at an epoch's start, as when
    // a finished run is given more epochs, the new rule decides it now (the saved one may be the old end's 0).
    m.lr = !change.empty() && c.position.epoch_iteration == 0 ? m.options.learningRateAt(c.position.epoch - 1)
                                                              : c.lr;
    m.buildOptimizers();
    restoreAdamState(*m.optimizerG, *m.G, c.adam_generator,
                     run.latestCheckpoint() + " (generator optimizer)");
    restoreAdamState(*m.optimizerD, *m.D, c.adam_discriminator,
                     run.latestCheckpoint() + " (discriminator optimizer)");
    m.position = c.position;
    m.elapsedSeconds = c.elapsed_seconds;
    m.lastCheckpoint = run.latestCheckpoint();
    if (world != c.world_size) {
        // Another number of ranks: the iteration count goes on, and the epoch resumes after the images the
        // saved run had already met (rounded up to this run's steps).
        const int64_t perStep = int64_t(m.options.batch_size) * world;
        const int64_t seen = c.position.epoch_iteration * m.options.batch_size * c.world_size;
        m.position.epoch_iteration = std::min((seen + perStep - 1) / perStep, m.iterationsPerEpoch);
        m.resumeReport.differences.push_back(
            "ranks: saved " + std::to_string(c.world_size) + ", now " + std::to_string(world) +
            ": each step averages " + std::to_string(perStep) + " images instead of " +
            std::to_string(int64_t(m.options.batch_size) * c.world_size) +
            ", and the epoch's images are met in other groups; the run continues from iteration " +
            std::to_string(c.position.iteration));
    }
    // Last, after everything that draws random numbers while building. Rank r takes the state rank r saved.
    const int rank = m.rank();
    const bool haveRankRng = rank == 0 || rank - 1 < static_cast<int>(c.rank_cpu_rng.size());
    if (m.dist) m.shareWeightsAndSeedRanks(!haveRankRng);
    if (rank == 0) {
        restoreCpuRng(c.cpu_rng);
        if (resumeRestoresCudaRng(m.device, c.device, c.cuda_rng)) restoreCudaRng(m.device, c.cuda_rng);
    } else if (haveRankRng) {
        restoreCpuRng(c.rank_cpu_rng[static_cast<size_t>(rank - 1)]);
        if (rank - 1 < static_cast<int>(c.rank_cuda_rng.size()) &&
            resumeRestoresCudaRng(m.device, c.device, c.rank_cuda_rng[static_cast<size_t>(rank - 1)]))
            restoreCudaRng(m.device, c.rank_cuda_rng[static_cast<size_t>(rank - 1)]);
    }
    if (c.world_size > 1 && world == c.world_size && static_cast<int>(c.rank_cpu_rng.size()) < world - 1)
        m.resumeReport.differences.push_back(
            "the random states of ranks 1.." + std::to_string(world - 1) +
            " were not saved (rank 0 saved alone after losing a peer): their dropout draws start afresh");
    if (main) run.truncateLosses(c.position.iteration);
    m.publishPosition();
    return trainer;
}

Trainer::~Trainer() = default;

TrainingState Trainer::run(TrainingObserver& observer) {
    auto& m = *impl_;
    m.useComputeThreads();
    observer.onStarted(m.progress(0), m.options.run_dir);
    observer.onStateChanged(TrainingState::Running);
    try {
        const auto end = m.loop(observer, std::numeric_limits<int64_t>::max(), true);
        if (end == Impl::LoopEnd::Stopped) {
            observer.onCheckpoint(m.save(false, 0));
            if (m.isMain()) m.exportModel(m.run.model(), false);
            observer.onMessage("stopped at iteration " + std::to_string(m.position.iteration) + "; saved " +
                               m.lastCheckpoint + " and " + m.run.model());
            m.stopRequested = false;
            observer.onStateChanged(TrainingState::Stopped);
            return TrainingState::Stopped;
        }
        if (m.isMain()) m.exportModel(m.run.model(), false);
        if (m.dist)
            observer.onMessage("data-parallel: " + std::to_string(m.worldSize()) +
                               " ranks; collectives took " + std::to_string(m.dist->collectiveSeconds()) +
                               " s of " + std::to_string(m.elapsedSeconds) + " s of training (this rank); " +
                               std::to_string((m.reduceG->payloadBytes() + m.reduceD->payloadBytes()) >> 20) +
                               " MB of gradients all-reduced per step");
        observer.onMessage("finished: " + m.run.model());
        observer.onStateChanged(TrainingState::Finished);
        return TrainingState::Finished;
    } catch (const Error& e) {
        observer.onMessage(e.what());
        observer.onStateChanged(TrainingState::Failed);
        throw;
    } catch (const std::exception& e) {
        const std::string message = "training failed: " + firstLine(e.what());
        observer.onMessage(message);
        observer.onStateChanged(TrainingState::Failed);
        throw Error(message);
    }
}

void Trainer::runSteps(int64_t steps, TrainingObserver& observer) {
    auto& m = *impl_;
    m.useComputeThreads();
    try {
        m.loop(observer, steps, false);
        m.stopRequested = false;
    } catch (const Error& e) {
        observer.onMessage(e.what());
        throw;
    } catch (const std::exception& e) {
        throw Error("training failed: " + firstLine(e.what()));
    }
}

void Trainer::pause() {
    impl_->pauseRequested = true;
}

void Trainer::resumeTraining() {
    {
        std::lock_guard<std::mutex> lock(impl_->pauseMutex);
        impl_->pauseRequested = false;
    }
    impl_->pauseChanged.notify_all();
}

void Trainer::stop() {
    {
        std::lock_guard<std::mutex> lock(impl_->pauseMutex);
        impl_->stopRequested = true;
    }
    impl_->pauseChanged.notify_all();
}

bool Trainer::isPaused() const {
    return impl_->pauseRequested.load();
}
const TrainOptions& Trainer::options() const {
    return impl_->options;
}
const DatasetScan& Trainer::dataset() const {
    return impl_->scan;
}
int64_t Trainer::datasetSize() const {
    return static_cast<int64_t>(impl_->pairs.size());
}
int64_t Trainer::iterationsPerEpoch() const {
    return impl_->iterationsPerEpoch;
}
int64_t Trainer::iteration() const {
    return impl_->iterationShared.load();
}
int Trainer::epoch() const {
    return impl_->epochShared.load();
}
double Trainer::learningRate() const {
    return impl_->lr;
}
const ResumeReport& Trainer::resumeReport() const {
    return impl_->resumeReport;
}
Device Trainer::device() const {
    return impl_->device;
}
int Trainer::worldSize() const {
    return impl_->worldSize();
}
int Trainer::rank() const {
    return impl_->rank();
}
double Trainer::collectiveSeconds() const {
    return impl_->dist ? impl_->dist->collectiveSeconds() : 0.0;
}
std::string Trainer::saveCheckpoint() {
    return impl_->save(false, 0);
}
std::string Trainer::lastCheckpoint() const {
    return impl_->lastCheckpoint;
}
void Trainer::exportModel(const std::string& path, bool half) const {
    impl_->exportModel(path, half);
}
void Trainer::injectNonFiniteInputAt(int64_t iteration) {
    impl_->poisonIteration = iteration;
}

void exportCheckpoint(const std::string& checkpointPath, const std::string& modelPath, bool half) {
    ExportSettings settings;
    settings.half = half;
    exportCheckpoint(checkpointPath, modelPath, settings);
}

void exportCheckpoint(const std::string& checkpointPath, const std::string& modelPath, const ExportSettings& settings) {
    if (!settings.metadata.is_null() && !settings.metadata.is_object())
        throw Error("export metadata must be a JSON object");
    const TrainingCheckpoint c = loadTrainingCheckpoint(checkpointPath);
    const ModelInfo info = modelInfoOf(c, checkpointPath);
    UnetGenerator G(info.generator);
    PatchDiscriminator D(*info.discriminator);
    loadStateDict(*G, c.generator, checkpointPath + " (generator)");
    loadStateDict(*D, c.discriminator, checkpointPath + " (discriminator)");
    SaveModelOptions o;
    o.half = settings.half;
    o.name = settings.name.empty() ? info.name : settings.name;
    if (o.name.empty()) o.name = fs::path(modelPath).stem().string();
    o.direction = info.direction;
    o.input_kind = settings.input_kind;
    o.metadata = info.metadata;
    if (settings.metadata.is_object()) o.metadata.update(settings.metadata);
    saveModel(modelPath, G, settings.generator_only ? PatchDiscriminator(nullptr) : D, o);
}

}  // namespace p2p
