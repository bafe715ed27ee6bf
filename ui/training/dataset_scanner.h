#pragma once

// Scans a paired folder (p2p::scanPairedFolder) on a pool thread with progress, and loads one sample pair to
// show. A new scan supersedes (cancels) the previous one; only the newest scan reports.

#include <QFutureWatcher>
#include <QImage>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

#include "core/data/paired_dataset.h"

namespace p2p::ui {

class ThreadInbox;

struct DatasetScanResult {
    QString folder;
    QString error;  // empty on success
    p2p::DatasetScan scan;
    QString sampleName;
    QImage sampleA, sampleB;  // the first training pair's A and B halves (as stored, before direction)
    QString sampleNote;       // why no sample could be shown, if none
    // Which direction makes photos (p2p::guessDirection on the training split): "AtoB", "BtoA", or empty
    // when the halves do not tell; `directionReason` says why in words.
    QString guessedDirection;
    QString directionReason;
};

class DatasetScanner : public QObject {
    Q_OBJECT

public:
    explicit DatasetScanner(QObject* parent = nullptr);
    ~DatasetScanner() override;  // cancels and waits

    void scan(const QString& folder, const p2p::ScanOptions& options = {});
    void cancel();
    bool isRunning() const { return watcher_.isRunning(); }

Q_SIGNALS:
    void progress(int done, int total);
    void finished(const p2p::ui::DatasetScanResult& result);

private:
    ThreadInbox* inbox_;  // progress reports from the pool thread
    QFutureWatcher<DatasetScanResult> watcher_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    int generation_ = 0;
};

}  // namespace p2p::ui

Q_DECLARE_METATYPE(p2p::ui::DatasetScanResult)
