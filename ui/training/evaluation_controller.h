#pragma once

// Runs p2p::evaluate (core/eval) on a pool thread for the training panel's "Evaluate on test split": its
// observer's progress reaches the GUI thread as signals, Cancel sets the flag the evaluator checks between
// pairs, and every failure (no model, data gone, an unreadable split) ends as failed(message).

#include <QFutureWatcher>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>

#include "core/common/device.h"
#include "core/eval/evaluator.h"

namespace p2p::ui {

class ThreadInbox;

class EvaluationController : public QObject {
    Q_OBJECT

public:
    explicit EvaluationController(QObject* parent = nullptr);
    ~EvaluationController() override;  // cancels and waits

    // Evaluates as `pix2pix eval` would with these options. False (and nothing happens) while one runs.
    bool start(const p2p::EvalOptions& options);
    // A run folder's newest model (RunFolder::newestModel) on the data folder it recorded, its default
    // split, in the direction the model was trained in. A folder without a model or without readable
    // options fails (through failed()) saying so.
    bool startForRun(const QString& runDir, const p2p::Device& device = {});
    // The evaluation stops before its next pair and reports cancelled().
    void cancel();
    bool isRunning() const { return running_; }

    // What startForRun evaluates; throws p2p::Error naming the folder and what it lacks.
    static p2p::EvalOptions optionsForRun(const QString& runDir, const p2p::Device& device = {});

Q_SIGNALS:
    void runningChanged(bool running);
    // The model, data, split and the number of pairs planned (no scores yet).
    void started(const p2p::EvalReport& header);
    void progress(int done, int planned);
    void pairSkipped(const QString& path, const QString& reason);
    void finished(const p2p::EvalReport& report);
    void failed(const QString& error);
    void cancelled();

private:
    struct Outcome {
        p2p::EvalReport report;
        QString error;  // empty on success
        bool cancelled = false;
    };
    bool run(std::function<p2p::EvalOptions()> options);
    void onDone();

    ThreadInbox* inbox_ = nullptr;  // the observer's reports from the pool thread
    QFutureWatcher<Outcome> watcher_;
    std::atomic<bool> cancel_{false};
    bool running_ = false;
};

}  // namespace p2p::ui

Q_DECLARE_METATYPE(p2p::EvalReport)
