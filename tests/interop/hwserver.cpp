// The guide's hello-world REP server, written with cppzmq: the C++ peer of the interop tests.
//
// Usage: hwserver [ENDPOINT]   (default tcp://*:5555)
//
// If ENDPOINT ends in ":*" (an ephemeral port), the first line on stdout is
// "BOUND <endpoint actually bound>". Each request is printed as "Received <text>" and
// answered with the five bytes "world". Runs until killed.
//
// Build: g++ -std=c++17 -O1 -o hwserver hwserver.cpp $(pkg-config --cflags --libs libzmq)

#include <zmq.hpp>

#include <cstring>
#include <iostream>
#include <string>

namespace {

bool ends_with(const std::string &s, const std::string &suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int main(int argc, char *argv[]) {
    const std::string endpoint = argc > 1 ? argv[1] : "tcp://*:5555";
    try {
        zmq::context_t context(1);
        zmq::socket_t socket(context, ZMQ_REP);
        socket.bind(endpoint);
        if (ends_with(endpoint, ":*")) {
            std::cout << "BOUND " << socket.get(zmq::sockopt::last_endpoint) << std::endl;
        }

        for (;;) {
            zmq::message_t request;
            if (!socket.recv(request, zmq::recv_flags::none)) {
                continue;  // EAGAIN: only possible with a receive timeout, which is not set
            }
            const std::string text(static_cast<const char *>(request.data()), request.size());
            std::cout << "Received " << text << std::endl;

            zmq::message_t reply(5);
            std::memcpy(reply.data(), "world", 5);
            socket.send(reply, zmq::send_flags::none);
        }
    } catch (const zmq::error_t &e) {
        std::cerr << "hwserver: " << endpoint << ": " << e.what() << std::endl;
        return 1;
    }
}
