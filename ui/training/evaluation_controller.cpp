#include "ui/training/evaluation_controller.h"

#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

#include "core/common/error.h"
#include "core/train/run_folder.h"
#include "ui/model_catalog.h"
#include "ui/thread_inbox.h"

namespace p2p::ui {

namespace {

QThreadPool& evaluationPool() {
    // Its own thread: a long evaluation must not hold up the scans and exports on the global pool.
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;
        p->setMaxThreadCount(1);
        return p;
    }();
    return *pool;
}

// Runs on the pool thread: hands each report to the GUI thread through the inbox.
class ForwardingObserver : public p2p::EvalObserver {
public:
    ForwardingObserver(EvaluationController* controller, ThreadInbox* inbox)
        : controller_(controller), inbox_(inbox) {}

    void onStarted(const p2p::EvalReport& header) override {
        inbox_->post([c = controller_, header] { Q_EMIT c->started(header); });
    }
    void onPair(size_t done, size_t planned, const p2p::EvalPair&) override {
        inbox_->post([c = controller_, done, planned] { Q_EMIT c->progress(int(done), int(planned)); });
    }
    void onSkipped(const p2p::SkippedFile& pair) override {
        inbox_->post([c = controller_, path = QString::fromStdString(pair.path),
                      reason = QString::fromStdString(pair.reason)] { Q_EMIT c->pairSkipped(path, reason); });
    }

private:
    EvaluationController* controller_;
    ThreadInbox* inbox_;
};

}  // namespace

EvaluationController::EvaluationController(QObject* parent) : QObject(parent), inbox_(new ThreadInbox(this)) {
    qRegisterMetaType<p2p::EvalReport>();
    connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &EvaluationController::onDone);
}

EvaluationController::~EvaluationController() {
    cancel();
    watcher_.disconnect(this);
    // The task posts to inbox_ and names this object: both must outlive it.
    watcher_.waitForFinished();
}

p2p::EvalOptions EvaluationController::optionsForRun(const QString& runDir, const p2p::Device& device) {
    const p2p::RunFolder run(runDir.toStdString());
    p2p::EvalOptions options;
    options.model = run.newestModel();
    if (options.model.empty())
        throw p2p::Error(
            run.root() +
            " has no model yet: a run has one after its first checkpoint (saved every few hundred "
            "iterations, at epoch ends and when it stops)");
    const auto data = run.recordedDataroot();
    if (!data)
        throw p2p::Error("cannot tell which data " + run.root() + " trained on: " + run.optionsFile() +
                         " is missing or unreadable");
    options.data = *data;
    options.device = device;
    // Label consistency where a segmenter is installed and the run translates label maps.
    if (const auto segmenter = ModelCatalog(ModelCatalog::scan()).segmenter()) {
        options.segmenter = segmenter->path.toStdString();
        options.segmenter_if_labels = true;
    }
    return options;  // split, direction and size: the defaults, which follow the model
}

bool EvaluationController::start(const p2p::EvalOptions& options) {
    return run([options] { return options; });
}

bool EvaluationController::startForRun(const QString& runDir, const p2p::Device& device) {
    return run([runDir, device] { return optionsForRun(runDir, device); });
}

bool EvaluationController::run(std::function<p2p::EvalOptions()> options) {
    if (running_) return false;
    cancel_ = false;
    running_ = true;
    Q_EMIT runningChanged(true);
    ThreadInbox* inbox = inbox_;
    const std::atomic<bool>* cancel = &cancel_;
    // The destructor waits for this task, so `this`, the inbox and the flag outlive it.
    watcher_.setFuture(QtConcurrent::run(&evaluationPool(), [this, inbox, cancel, options] {
        Outcome outcome;
        try {
            ForwardingObserver observer(this, inbox);
            outcome.report = p2p::evaluate(options(), &observer, cancel);
        } catch (const p2p::EvalCancelled&) {
            outcome.cancelled = true;
        } catch (const std::exception& e) {
            outcome.error = QString::fromStdString(e.what());
            if (outcome.error.isEmpty()) outcome.error = tr("the evaluation failed without a message");
        }
        return outcome;
    }));
    return true;
}

void EvaluationController::cancel() {
    cancel_ = true;
}

void EvaluationController::onDone() {
    // Reports the observer posted before the task returned are still queued: let them arrive first, so that
    // progress never follows the result.
    inbox_->post([this, outcome = watcher_.result()] {
        running_ = false;
        Q_EMIT runningChanged(false);
        if (outcome.cancelled)
            Q_EMIT cancelled();
        else if (!outcome.error.isEmpty())
            Q_EMIT failed(outcome.error);
        else
            Q_EMIT finished(outcome.report);
    });
}

}  // namespace p2p::ui
