#pragma once

// The training panel's "Model" and "Run" groups: every trainer option the studio offers, bound to a
// TrainOptions through a TrainOptionsBinder, and the presets of core/train/presets.h. Choosing a preset
// applies it; an edit that leaves the chosen preset shows Custom, where every model option can be changed.

#include <QString>
#include <QWidget>

#include "core/train/train_options.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;

namespace p2p::ui {

class TrainOptionsBinder;

class TrainOptionsForm : public QWidget {
    Q_OBJECT

public:
    // preset() when the options are no preset's; setPreset(kCustom) keeps the options and shows every field.
    static constexpr const char* kCustom = "custom";

    explicit TrainOptionsForm(QWidget* parent = nullptr);

    // What the controls show. Fields the form has no control for (dataroot, pair_resize, init_gain,
    // keep_checkpoints, snapshot_half) are those setOptions() was last given.
    p2p::TrainOptions options() const;
    // Shows `options`; the preset box shows the preset they match, else Custom.
    void setOptions(const p2p::TrainOptions& options);

    // A preset's name (trainPresets()) or kCustom. False, changing nothing, for a name that is neither.
    bool setPreset(const QString& name);
    QString preset() const;
    // What the preset box says about the current choice (the preset's summary), empty for Custom.
    QString presetSummary() const;

    // Shows `direction` ("AtoB" or "BtoA") as a preselection, not an edit: optionsEdited() and
    // directionEdited() stay quiet; directionChanged() tells when it changed.
    void setDirection(const QString& direction);
    QString direction() const;
    // Takes the Direction control out of the Run group, for the panel to show it beside the folder. It stays
    // bound: options() reads it wherever it is.
    QWidget* takeDirectionControl();

    void setRunFolder(const QString& folder);  // "" = a new folder, named by newRunFolder() at Start
    // Where runs go unless the user picks another folder: <app data>/runs.
    static QString runsFolder();
    // A fresh folder for a run on `datasetFolder`: <runs>/<data folder name>-<date>-<time>.
    static QString newRunFolder(const QString& datasetFolder);
    // The data folder new runs are named after (the "…" button's suggestion).
    void setDatasetFolder(const QString& folder) { datasetFolder_ = folder; }

    TrainOptionsBinder* binder() const { return binder_; }

Q_SIGNALS:
    // The user changed a field (setOptions and setPreset do not emit it).
    void optionsEdited();
    // The preset box changed: by a choice, by an edit that left the preset, or by setOptions.
    void presetChanged(const QString& name);
    void directionChanged(const QString& direction);
    // The user chose a direction (not setOptions, setPreset or setDirection).
    void directionEdited(const QString& direction);

private:
    QWidget* buildModelGroup();
    QWidget* buildRunGroup();
    void onEdited();
    void showPreset(const QString& name);  // the box, the summary and which fields show

    TrainOptionsBinder* binder_ = nullptr;
    p2p::TrainOptions shown_;  // keeps the fields without a control
    QString datasetFolder_;
    QString presetName_;  // what the box shows (read before the box changes it on a choice)
    QComboBox* presetBox_ = nullptr;
    QLabel* presetSummary_ = nullptr;
    QWidget* customBox_ = nullptr;
    QComboBox* directionBox_ = nullptr;
    QString shownDirection_;  // the direction last shown by the program: an edit is a change from it
    QFormLayout* runForm_ = nullptr;
    QLineEdit* runFolderEdit_ = nullptr;
};

}  // namespace p2p::ui
