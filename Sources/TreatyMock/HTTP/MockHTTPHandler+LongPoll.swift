#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// Long polls: holding a request until its time, trigger or call, then answering it.
extension MockHTTPHandler {
    /// Holds a long-poll request: for its time, or until its trigger or call comes (then `answer`),
    /// or its timeout passes (then the timeout answer).
    func holdAnswer(_ answer: MockResponder.Answer, _ plan: MockResponder.HoldPlan, _ holds: HoldRegistry,
                            _ context: ChannelHandlerContext, head: HTTPRequestHead) {
        answering = true
        let loop = context.eventLoop.assumeIsolated()
        guard let key = plan.key, case let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop) else {
            if case .duration(let ms) = plan.hold {
                loop.scheduleTask(in: .milliseconds(Int64(ms))) { [self] in finishHold(answer, plan.delivery, context, head: head) }
            }
            return
        }
        let eventLoop = context.eventLoop
        let id = holds.hold(key) {
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.held?.timeout.cancel()
                handler.finishHold(answer, plan.delivery, context, head: head)
            }
        }
        let timeout = loop.scheduleTask(in: .milliseconds(Int64(plan.timeoutMilliseconds))) { [self] in
            guard holds.cancel(key, id: id) else { return }  // released just now: that answer wins
            finishHold(plan.timeoutAnswer, plan.timeoutDelivery, context, head: head)
        }
        held = (key, id, timeout)
    }

    func finishHold(_ answer: MockResponder.Answer, _ delivery: MockResponder.Delivery, _ context: ChannelHandlerContext,
                            head: HTTPRequestHead) {
        held = nil
        guard context.channel.isActive else { return }
        deliver(delivery, answer, context, head: head)
        answerDone(context)
    }
}
