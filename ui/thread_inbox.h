#pragma once

// Hands work to the thread of a QObject through Qt's event queue, in a way ThreadSanitizer can follow.
//
// Qt's queue is what orders a hand-off between threads (QMetaObject::invokeMethod, queued signals), but
// Debian's Qt is not built with TSan: its queue locks are invisible, so TSan reports every lambda capture and
// signal argument that crosses it as a race. A ThreadInbox posts one event per function, marks it released
// after the function is fully built and acquired before it runs, so TSan sees the same order Qt guarantees.
// Without TSan the marks compile to nothing and this is a plain posted event.

#include <QEvent>
#include <QObject>
#include <QThread>

#include <functional>
#include <utility>

#if defined(__SANITIZE_THREAD__)
#define P2P_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define P2P_TSAN 1
#endif
#endif

#ifdef P2P_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace p2p::ui {

// Happens-before marks for hand-offs TSan cannot see (Qt's queue, QThread::wait on a detached thread).
inline void markReleased([[maybe_unused]] const void* token) {
#ifdef P2P_TSAN
    __tsan_release(const_cast<void*>(token));
#endif
}
inline void markAcquired([[maybe_unused]] const void* token) {
#ifdef P2P_TSAN
    __tsan_acquire(const_cast<void*>(token));
#endif
}

// QThread runs detached, so TSan does not see wait() as a join. Call markThreadEndOnFinish once, before
// start(): the thread marks its end as its last act. quitAndWait then quits, waits and acquires that mark.
void markThreadEndOnFinish(QThread& thread);
void quitAndWait(QThread& thread);

class ThreadInbox final : public QObject {
public:
    // Functions run on the thread this inbox lives on (it moves with its parent, as any QObject child).
    explicit ThreadInbox(QObject* parent = nullptr) : QObject(parent) {}

    // Any thread. Functions run in posting order; those still queued when the inbox is destroyed never run.
    void post(std::function<void()> function);

protected:
    bool event(QEvent* event) override;
};

// Connects `signal` so that `slot` runs on `inbox`'s thread with copies of the signal's arguments: the
// ThreadSanitizer-visible equivalent of a queued connection.
template <typename Sender, typename Signal, typename Slot>
QMetaObject::Connection connectThroughInbox(Sender* sender, Signal signal, ThreadInbox* inbox, Slot slot) {
    return QObject::connect(
        sender, signal, inbox,
        [inbox, slot](auto... args) { inbox->post([slot, args...]() mutable { slot(args...); }); },
        Qt::DirectConnection);
}

// The same, re-emitting `signal` as `receiverSignal` of `receiver` (a signal-to-signal forward).
template <typename Sender, typename Signal, typename Receiver, typename ReceiverSignal>
QMetaObject::Connection connectThroughInbox(Sender* sender, Signal signal, ThreadInbox* inbox,
                                            Receiver* receiver, ReceiverSignal receiverSignal) {
    return connectThroughInbox(sender, signal, inbox, [receiver, receiverSignal](const auto&... args) {
        (receiver->*receiverSignal)(args...);
    });
}

}  // namespace p2p::ui
