/// The HTTP layer's per-worker state: the PRNG for request ids and weighted picks and the
/// cached `date` header. Looked up once per connection, not per request.
final class HTTPWorkerState {
    let random = WorkerRandom()
    let date = DateHeader()
}
