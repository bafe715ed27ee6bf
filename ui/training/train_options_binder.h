#pragma once

// The controls of the training form and the TrainOptions fields they show, listed once. Each binding knows
// how to show its field and how to read it back, so options() and setOptions() are one loop each instead of
// thirty assignments copied by hand in each direction; a field added to the form is added in one place.

#include <QObject>
#include <QString>

#include <functional>
#include <string>
#include <vector>

#include "core/train/train_options.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QWidget;

namespace p2p::ui {

class TrainOptionsBinder : public QObject {
    Q_OBJECT

public:
    explicit TrainOptionsBinder(QObject* parent = nullptr);

    // `name` is the option's key in TrainOptions::toJson() (and options.json); it becomes the control's
    // objectName, so that tests and tools find a field's control by the name of the option.
    void bind(const char* name, QSpinBox* spin, int p2p::TrainOptions::*field);
    void bind(const char* name, QDoubleSpinBox* spin, double p2p::TrainOptions::*field);
    // `inverted`: the box says the opposite of the field (no_flip shows as "Random horizontal flips").
    void bind(const char* name, QCheckBox* box, bool p2p::TrainOptions::*field, bool inverted = false);
    // Items carry their option value as data (the text may be translated).
    void bind(const char* name, QComboBox* box, std::string p2p::TrainOptions::*field);
    // A typed field (the device, the precision) whose items carry its text form as data.
    template <class T, class ToText, class FromText>
    void bind(const char* name, QComboBox* box, T p2p::TrainOptions::*field, ToText toText, FromText fromText) {
        bindItems(
            name, box, [field, toText](const p2p::TrainOptions& o) { return std::string(toText(o.*field)); },
            [field, fromText](p2p::TrainOptions& o, const std::string& item) { o.*field = fromText(item); });
    }
    // A folder, with native separators on screen and '/' in the options; surrounding spaces are dropped.
    void bind(const char* name, QLineEdit* edit, std::string p2p::TrainOptions::*field);
    // Anything else (the seed, the device): how to show the field and how to read it back.
    void bind(const char* name, QWidget* control, std::function<void(const p2p::TrainOptions&)> show,
              std::function<void(p2p::TrainOptions&)> read);

    // Shows every bound field of `options` (without emitting edited()).
    void show(const p2p::TrainOptions& options);
    // `base` with every bound field replaced by what its control shows.
    p2p::TrainOptions read(p2p::TrainOptions base) const;

    QList<QWidget*> controls() const;

Q_SIGNALS:
    // A bound control changed other than through show(): the user edited it.
    void edited();

private:
    // A combo box whose items carry an option's text form as data; a value it does not list leaves it as it is.
    void bindItems(const char* name, QComboBox* box, std::function<std::string(const p2p::TrainOptions&)> show,
                   std::function<void(p2p::TrainOptions&, const std::string&)> read);
    struct Binding {
        QWidget* control;
        std::function<void(const p2p::TrainOptions&)> show;
        std::function<void(p2p::TrainOptions&)> read;
    };
    void watch(QWidget* control);

    std::vector<Binding> bindings_;
    bool showing_ = false;
};

}  // namespace p2p::ui
