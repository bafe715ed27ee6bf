#include "ui/thread_inbox.h"

#include <QCoreApplication>

namespace p2p::ui {

namespace {

const QEvent::Type kFunctionEvent = static_cast<QEvent::Type>(QEvent::registerEventType());

class FunctionEvent final : public QEvent {
public:
    explicit FunctionEvent(std::function<void()> function)
        : QEvent(kFunctionEvent), function_(std::move(function)) {}
    // Also when the event is dropped undelivered (its inbox destroyed, maybe on another thread).
    ~FunctionEvent() override { markAcquired(this); }
    void run() { function_(); }

private:
    std::function<void()> function_;
};

}  // namespace

void markThreadEndOnFinish(QThread& thread) {
    QObject::connect(
        &thread, &QThread::finished, &thread, [&thread] { markReleased(&thread); }, Qt::DirectConnection);
}

void quitAndWait(QThread& thread) {
    thread.quit();
    thread.wait();
    markAcquired(&thread);
}

void ThreadInbox::post(std::function<void()> function) {
    auto* event = new FunctionEvent(std::move(function));
    markReleased(event);  // everything the function holds was written before this line
    QCoreApplication::postEvent(this, event);
}

bool ThreadInbox::event(QEvent* event) {
    markAcquired(event);  // before reading it at all (for other events it marks nothing)
    if (event->type() != kFunctionEvent) return QObject::event(event);
    static_cast<FunctionEvent*>(event)->run();
    return true;
}

}  // namespace p2p::ui
