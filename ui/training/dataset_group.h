#pragma once

// The training panel's "Paired folder" group: the folder (typed or chosen), its scan on a pool thread with
// progress, what the scan found (layout, splits, sizes, notes, warnings, every skipped file with its reason)
// and one sample pair, shown in the training direction.

#include <QGroupBox>
#include <QString>

#include "core/data/paired_dataset.h"
#include "ui/training/dataset_scanner.h"

class QCheckBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTreeWidget;

namespace p2p::ui {

class ImagePane;

class DatasetGroup : public QGroupBox {
    Q_OBJECT

public:
    explicit DatasetGroup(QWidget* parent = nullptr);

    // Scans `folder` at once; a scan still running is superseded.
    void setFolder(const QString& folder);
    QString folder() const;  // as entered, with '/' separators
    // The last scan found pairs to train on.
    bool isReady() const { return ready_; }
    const DatasetScanResult& lastScan() const { return scan_; }

    bool pairResize() const;
    void setPairResize(bool on);  // showing a run's options: no rescan

    // Which half the sample shows as the input ("AtoB" or "BtoA").
    void setDirection(const QString& direction);
    // The training direction's control (the options form's, bound there), shown beside the folder: which half
    // is the input is decided by what the folder holds, so it belongs with the folder, above the fold.
    void setDirectionControl(QWidget* control);
    // The line under the direction: why it was preselected (the scan's guess), or that the user's choice stays.
    void setDirectionNote(const QString& text);
    QString directionNote() const;

    // The training transform, for the summary's notes on what preprocessing does to these pairs.
    void setTransformOptions(const p2p::TransformOptions& transform);

    // The summary as the group shows it (HTML): layout, pairs per split, pair sizes, notes, warnings, and
    // which split trains.
    static QString summaryHtml(const p2p::DatasetScan& scan, const p2p::TransformOptions& transform);

Q_SIGNALS:
    void scanStarted(const QString& folder);
    // A scan ended (a superseded one does not report). `problem`: why the folder cannot train, if it cannot.
    void scanFinished(bool ready, const QString& problem);

private:
    void chooseFolder();
    void onScanProgress(int done, int total);
    void onScanFinished(const DatasetScanResult& result);
    void showSummary();
    void showSamplePair();

    DatasetScanner* scanner_ = nullptr;
    DatasetScanResult scan_;
    bool ready_ = false;
    bool scanning_ = false;
    QString direction_ = "AtoB";
    p2p::TransformOptions transform_;

    QLineEdit* folderEdit_ = nullptr;
    QHBoxLayout* directionRow_ = nullptr;
    QLabel* directionNote_ = nullptr;
    QCheckBox* pairResizeBox_ = nullptr;
    QProgressBar* scanProgress_ = nullptr;
    QLabel* scanSummary_ = nullptr;
    QLabel* skippedTitle_ = nullptr;
    QTreeWidget* skippedList_ = nullptr;
    ImagePane* sampleInput_ = nullptr;
    ImagePane* sampleTarget_ = nullptr;
    QLabel* sampleCaption_ = nullptr;
};

}  // namespace p2p::ui
