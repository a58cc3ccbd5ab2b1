// The C++ side of tests/inproc_cpp.rs: a shared library that the Rust test loads into its own
// process (dlopen), so both sides share one libzmq context and talk over inproc://.
//
// It uses libzmq's C API from C++ (zmq.h), with std::thread for the server. Every function is
// extern "C" so that the test finds it with dlsym.

#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// A REP server on its own thread. For each request (any number of frames) it replies with
// the frames in reverse order followed by one frame "cpp:<frames>:<total bytes>", so the
// Rust side sees that C++ read every byte. A one-frame request "STOP" gets "BYE" and ends
// the thread.
struct Server {
    void *socket = nullptr;
    std::thread thread;
    long served = 0;
    int error = 0;
};

bool receive_all(void *socket, std::vector<std::string> &frames) {
    frames.clear();
    int more = 1;
    while (more) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, socket, 0) == -1) {
            zmq_msg_close(&msg);
            return false;
        }
        frames.emplace_back(static_cast<const char *>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
        more = zmq_msg_more(&msg);
        zmq_msg_close(&msg);
    }
    return true;
}

bool send_all(void *socket, const std::vector<std::string> &frames) {
    for (size_t i = 0; i < frames.size(); ++i) {
        int flags = i + 1 < frames.size() ? ZMQ_SNDMORE : 0;
        if (zmq_send(socket, frames[i].data(), frames[i].size(), flags) == -1)
            return false;
    }
    return true;
}

void serve(Server *server) {
    std::vector<std::string> request;
    while (true) {
        if (!receive_all(server->socket, request)) {
            server->error = zmq_errno();
            break;
        }
        if (request.size() == 1 && request[0] == "STOP") {
            if (!send_all(server->socket, {"BYE"}))
                server->error = zmq_errno();
            break;
        }
        size_t total = 0;
        std::vector<std::string> reply(request.rbegin(), request.rend());
        for (const auto &frame : request)
            total += frame.size();
        reply.push_back("cpp:" + std::to_string(request.size()) + ":" + std::to_string(total));
        if (!send_all(server->socket, reply)) {
            server->error = zmq_errno();
            break;
        }
        ++server->served;
    }
    zmq_close(server->socket);
}

} // namespace

extern "C" {

// A new context, owned by the C++ side.
void *peer_ctx_new() { return zmq_ctx_new(); }

// Terminates a context: returns zmq_ctx_term's result (0, or -1 with errno).
int peer_ctx_term(void *ctx) { return zmq_ctx_term(ctx); }

// Creates a REP socket on `ctx` (a 10 s receive timeout, so that the server ends by itself
// if the Rust side fails), binds it to `endpoint` before returning, and serves on a thread.
// NULL with errno on failure.
void *peer_serve(void *ctx, const char *endpoint) {
    void *socket = zmq_socket(ctx, ZMQ_REP);
    if (!socket)
        return nullptr;
    int timeout = 10000;
    int linger = 0;
    zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(socket, endpoint) == -1) {
        int error = zmq_errno();
        zmq_close(socket);
        errno = error;
        return nullptr;
    }
    Server *server = new Server;
    server->socket = socket;
    server->thread = std::thread(serve, server);
    return server;
}

// Waits for the server's thread to end (after "STOP", or an error), frees it, and returns
// how many requests it answered, or -errno if it stopped on an error.
long peer_join(void *handle) {
    Server *server = static_cast<Server *>(handle);
    server->thread.join();
    long result = server->error ? -static_cast<long>(server->error) : server->served;
    delete server;
    return result;
}

// A plain socket of the given type on `ctx`, for the Rust side to borrow or take over.
void *peer_socket(void *ctx, int type) { return zmq_socket(ctx, type); }

int peer_close(void *socket) { return zmq_close(socket); }

// Sends one frame; returns zmq_send's result.
int peer_send(void *socket, const char *data, size_t size, int flags) {
    return zmq_send(socket, data, size, flags);
}

// Receives one frame into `buffer` (with a 10 s timeout); returns the frame's size, or -1.
int peer_recv(void *socket, char *buffer, size_t capacity) {
    int timeout = 10000;
    zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    return zmq_recv(socket, buffer, capacity, 0);
}

// A message built by C++ (zmq_msg_init_size), for Rust to take over with Message::from_raw.
int peer_msg_init(zmq_msg_t *msg, const char *data, size_t size) {
    if (zmq_msg_init_size(msg, size) == -1)
        return -1;
    memcpy(zmq_msg_data(msg), data, size);
    return 0;
}

// Reads a message Rust handed over with Message::into_raw into `buffer`, then closes it, as
// its new owner must. Returns the size, or -1 if it does not fit.
int peer_msg_take(zmq_msg_t *msg, char *buffer, size_t capacity) {
    size_t size = zmq_msg_size(msg);
    int result = -1;
    if (size <= capacity) {
        memcpy(buffer, zmq_msg_data(msg), size);
        result = static_cast<int>(size);
    }
    zmq_msg_close(msg);
    return result;
}

// libzmq's version, as this library sees it.
void peer_version(int *major, int *minor, int *patch) { zmq_version(major, minor, patch); }
}
