import Contracts
import Foundation
import Ledger
import Relay

/// Where each box of a case's money trail goes: one row per hop, children under the request
/// that reported the transfer, leaves side by side (a tidy tree: a parent sits above the middle
/// of its children). Exits and transfers not followed are leaves of their own. Pure; linear in
/// the case's size, so a 200-hop chain lays out as fast as a short one.
struct MoneyTrailLayout {
    /// A box: a request of the case, or where money left (or was not followed).
    enum Box {
        case request(RequestRecord)
        case exit(ChainEdge, ExitReason)
        case limit(ChainEdge, LimitReason)
    }

    struct Placed {
        var box: Box
        /// Column (in leaf widths) and row (hop depth in the drawing).
        var column: Double
        var row: Int
    }

    struct Link {
        var from: Int
        var to: Int
        var edge: ChainEdge
        /// Money that joined an account already under a request: drawn dashed.
        var isJoin: Bool
    }

    private(set) var boxes: [Placed] = []
    private(set) var links: [Link] = []
    private(set) var columns = 0
    private(set) var rows = 0

    init(detail: CaseDetail) {
        let byID = Dictionary(detail.requests.map { ($0.requestID, $0) }, uniquingKeysWith: { first, _ in first })
        let edgesByParent = Dictionary(grouping: detail.edges, by: \.fromRequestID)
        var indexOfRequest: [UUID: Int] = [:]
        var pendingJoins: [(from: Int, to: UUID, edge: ChainEdge)] = []
        var nextLeaf = 0.0

        // Iterative depth-first placement (a 200-hop chain would be a deep recursion).
        func place(root: RequestRecord) {
            struct Frame {
                var index: Int
                var children: [Int] = []
                var pending: [ChainEdge]
            }
            guard indexOfRequest[root.requestID] == nil else { return }
            var stack: [Frame] = []
            func open(_ box: Box, row: Int) -> Int {
                boxes.append(Placed(box: box, column: -1, row: row))
                rows = max(rows, row + 1)
                return boxes.count - 1
            }
            func leaf(_ box: Box, row: Int, under top: Int, edge: ChainEdge) {
                let index = open(box, row: row)
                boxes[index].column = nextLeaf
                nextLeaf += 1
                links.append(Link(from: stack[top].index, to: index, edge: edge, isJoin: false))
                stack[top].children.append(index)
            }
            let rootIndex = open(.request(root), row: 0)
            indexOfRequest[root.requestID] = rootIndex
            stack.append(Frame(index: rootIndex, pending: (edgesByParent[root.requestID] ?? []).reversed()))
            while !stack.isEmpty {
                let top = stack.count - 1
                guard let edge = stack[top].pending.popLast() else {
                    let frame = stack.removeLast()
                    if frame.children.isEmpty {
                        boxes[frame.index].column = nextLeaf
                        nextLeaf += 1
                    } else {
                        let columns = frame.children.map { boxes[$0].column }
                        boxes[frame.index].column = (columns.min()! + columns.max()!) / 2
                    }
                    if let parent = stack.indices.last { stack[parent].children.append(frame.index) }
                    continue
                }
                let row = boxes[stack[top].index].row + 1
                switch edge.outcome {
                case .child(let id):
                    guard let child = byID[id], indexOfRequest[id] == nil else {
                        pendingJoins.append((stack[top].index, id, edge))
                        continue
                    }
                    let index = open(.request(child), row: row)
                    indexOfRequest[id] = index
                    links.append(Link(from: stack[top].index, to: index, edge: edge, isJoin: false))
                    stack.append(Frame(index: index, pending: (edgesByParent[id] ?? []).reversed()))
                case .join(let id):
                    pendingJoins.append((stack[top].index, id, edge))
                case .exit(let reason):
                    leaf(.exit(edge, reason), row: row, under: top, edge: edge)
                case .limit(let reason):
                    leaf(.limit(edge, reason), row: row, under: top, edge: edge)
                }
            }
        }

        // Police requests first (no parent in this case), then anything not reached from them.
        let roots = detail.requests.filter { $0.parentRequestID.map { byID[$0] == nil } ?? true }
        for request in roots + detail.requests { place(root: request) }
        for join in pendingJoins {
            guard let target = indexOfRequest[join.to] else { continue }
            links.append(Link(from: join.from, to: target, edge: join.edge, isJoin: true))
        }
        columns = Int(nextLeaf)
    }
}
