#include "ui/training/dataset_scanner.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

#include "core/common/error.h"
#include "core/data/direction_guess.h"
#include "ui/image_convert.h"
#include "ui/thread_inbox.h"

namespace p2p::ui {

namespace {

QThreadPool& scanPool() {
    // One thread: a superseded scan is cancelled and ends quickly, so scans never pile up.
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;
        p->setMaxThreadCount(1);
        return p;
    }();
    return *pool;
}

}  // namespace

DatasetScanner::DatasetScanner(QObject* parent) : QObject(parent), inbox_(new ThreadInbox(this)) {
    qRegisterMetaType<p2p::ui::DatasetScanResult>();
    connect(&watcher_, &QFutureWatcher<DatasetScanResult>::finished, this,
            [this] { Q_EMIT finished(watcher_.result()); });
}

DatasetScanner::~DatasetScanner() {
    cancel();
    watcher_.disconnect(this);
    scanPool().waitForDone();
}

void DatasetScanner::cancel() {
    if (cancel_) cancel_->store(true);
}

void DatasetScanner::scan(const QString& folder, const p2p::ScanOptions& options) {
    cancel();
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    const int generation = ++generation_;
    auto cancelled = cancel_;
    QPointer<DatasetScanner> self(this);
    // The destructor waits for the pool, so the inbox outlives every task that posts to it.
    ThreadInbox* inbox = inbox_;
    watcher_.setFuture(QtConcurrent::run(&scanPool(), [self, inbox, folder, options, cancelled, generation]() {
        DatasetScanResult result;
        result.folder = folder;
        QElapsedTimer sinceReport;
        sinceReport.start();
        const p2p::ScanProgress report = [&](int done, int total) {
            if (cancelled->load()) return false;
            if (done == 0 || done + 1 >= total || sinceReport.elapsed() >= 50) {
                sinceReport.restart();
                inbox->post([self, generation, done, total] {
                    if (self && self->generation_ == generation) Q_EMIT self->progress(done, total);
                });
            }
            return true;
        };
        try {
            result.scan = p2p::scanPairedFolder(folder.toStdString(), report, options);
        } catch (const std::exception& e) {
            result.error = cancelled->load() ? QStringLiteral("cancelled") : QString::fromStdString(e.what());
            return result;
        }
        try {
            const auto& pairs = result.scan.split(result.scan.trainSplit());
            if (!pairs.empty()) {
                const p2p::ImagePair pair =
                    p2p::loadPair(pairs.front(), result.scan.layout, p2p::Direction::AtoB);
                result.sampleName = QString::fromStdString(pair.name);
                result.sampleA = matToQImage(pair.input);
                result.sampleB = matToQImage(pair.target);
            }
        } catch (const std::exception& e) {
            result.sampleNote = QString::fromStdString(e.what());
        }
        // Loads a few pairs: done here, off the GUI thread, with the rest of the scan.
        try {
            if (!cancelled->load()) {
                const p2p::DirectionGuess guess = p2p::guessDirection(result.scan, result.scan.trainSplit());
                if (guess.direction)
                    result.guessedDirection = QString::fromStdString(p2p::toString(*guess.direction));
                result.directionReason = QString::fromStdString(guess.reason);
            }
        } catch (const std::exception& e) {
            result.directionReason = QString::fromStdString(e.what());  // no train split: nothing to guess
        }
        return result;
    }));
}

}  // namespace p2p::ui
