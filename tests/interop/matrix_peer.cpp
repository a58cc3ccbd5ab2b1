// The cppzmq peer of the interop matrix (tests/interop_matrix.rs; INTEROP.md describes it).
// It plays the same roles, with the same arguments and output, as matrix_peer.py:
//
//   matrix_peer ROLE MODE ENDPOINT SCRIPT MECHANISM [MECHANISM ARGUMENTS]
//   matrix_peer gencerts DIRECTORY
//   matrix_peer version       (prints the cppzmq and libzmq versions)
//
// ROLE      REQ REP DEALER ROUTER PAIR-ask PAIR-echo PUSH PULL PUB SUB STREAM RAW
// MODE      bind | connect   (bind prints "BOUND <endpoint>" first)
// SCRIPT    payloads | refused
// MECHANISM null | plain-client USER PASSWORD | plain-server USER PASSWORD
//           | curve-client CLIENT_SECRET_CERT SERVER_PUBLIC_CERT
//           | curve-server SERVER_SECRET_CERT ALLOWED_DIRECTORY
//
// cppzmq has no authenticator, so the servers run a small ZAP handler of their own (RFC 27),
// and no certificate files, so this peer reads and writes czmq's format itself.
//
// Build: g++ -std=c++17 -O1 -o matrix_peer matrix_peer.cpp -pthread $(pkg-config --cflags --libs libzmq)

#include <zmq.hpp>

#include <poll.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Bytes = std::string;  // a frame: any bytes
using Frames = std::vector<Bytes>;

const int TIMEOUT_MS = 20000;
const int REFUSED_MS = 1500;
const Bytes ROUTING_ID = "matrix-dealer";
const Bytes TOPIC = "ab.data";
const size_t STREAM_CHUNK = 65536;

struct Failure {
    std::string reason;
};

Bytes big() {
    Bytes data(16 * 1024 * 1024, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 251);
    return data;
}

std::vector<std::pair<std::string, Frames>> payloads() {
    Bytes frame4;
    for (int i = 0; i < 100; ++i) frame4 += "frame-4 ";
    return {
        {"empty", {Bytes()}},
        {"one-byte", {Bytes(1, '\0')}},
        {"five-frames", {"frame-1", "", Bytes("\x00\x01\x02", 3), frame4, "last"}},
        {"non-utf8", {"\xff\xfe\xfd\x80\xc0\xaf caf\xe9 \xed\xa0\x80"}},
        {"16MiB", {big()}},
    };
}

std::vector<std::pair<std::string, Bytes>> stream_payloads() {
    std::vector<std::pair<std::string, Bytes>> out;
    for (auto &[name, frames] : payloads()) {
        if (name == "one-byte" || name == "non-utf8" || name == "16MiB") {
            Bytes all;
            for (auto &f : frames) all += f;
            out.emplace_back(name, all);
        }
    }
    return out;
}

void out(const std::string &line) { std::cout << line << std::endl; }

void report(const std::string &name, const Frames &got, const Frames &expected) {
    std::string sizes;
    for (size_t i = 0; i < got.size(); ++i) sizes += (i ? "," : "") + std::to_string(got[i].size());
    std::string verdict = "ok";
    if (got.size() != expected.size()) {
        verdict = "MISMATCH " + std::to_string(got.size()) + " frames, expected " +
                  std::to_string(expected.size());
    } else {
        for (size_t i = 0; i < got.size(); ++i) {
            if (got[i] != expected[i]) {
                verdict = "MISMATCH frame " + std::to_string(i) + " differs";
                break;
            }
        }
    }
    out("RECEIVED " + name + " " + sizes + " " + verdict);
}

void send(zmq::socket_t &sock, const Frames &frames) {
    for (size_t i = 0; i < frames.size(); ++i) {
        auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
        if (!sock.send(zmq::buffer(frames[i].data(), frames[i].size()), flags)) {
            throw Failure{"timed out sending"};
        }
    }
}

Frames recv(zmq::socket_t &sock) {
    Frames frames;
    do {
        zmq::message_t msg;
        if (!sock.recv(msg)) throw Failure{"timed out receiving"};
        frames.emplace_back(static_cast<const char *>(msg.data()), msg.size());
    } while (sock.get(zmq::sockopt::rcvmore));
    return frames;
}

Frames head(const Frames &frames, size_t n) {
    return Frames(frames.begin(), frames.begin() + std::min(n, frames.size()));
}

Frames tail(const Frames &frames, size_t n) {
    return Frames(frames.begin() + std::min(n, frames.size()), frames.end());
}

Frames concat(Frames a, const Frames &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

void ask(zmq::socket_t &sock, const Frames &envelope) {
    for (auto &[name, frames] : payloads()) {
        send(sock, concat(envelope, frames));
        Frames got = recv(sock);
        if (head(got, envelope.size()) != envelope) throw Failure{name + ": reply envelope"};
        report(name, tail(got, envelope.size()), frames);
    }
}

void echo(zmq::socket_t &sock, const Frames &envelope) {
    for (auto &[name, frames] : payloads()) {
        Frames got = recv(sock);
        if (head(got, envelope.size()) != envelope) throw Failure{name + ": envelope"};
        report(name, tail(got, envelope.size()), frames);
        send(sock, got);
    }
}

// A line on stdin within `ms` milliseconds, or "".
std::string stdin_line(int ms) {
    static std::string pending;
    pollfd fd{0, POLLIN, 0};
    if (pending.find('\n') == std::string::npos && ::poll(&fd, 1, ms) > 0) {
        char buf[256];
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n > 0) pending.append(buf, static_cast<size_t>(n));
    }
    size_t end = pending.find('\n');
    if (end == std::string::npos) return "";
    std::string line = pending.substr(0, end);
    pending.erase(0, end + 1);
    return line;
}

void publish(zmq::socket_t &sock) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(TIMEOUT_MS);
    do {
        if (std::chrono::steady_clock::now() > deadline) throw Failure{"no GO on stdin"};
        send(sock, {"sync"});
    } while (stdin_line(20) != "GO");
    for (auto &[name, frames] : payloads()) {
        send(sock, {"a", "not subscribed"});
        send(sock, {"ba", "not subscribed"});
        send(sock, concat({TOPIC}, frames));
    }
    send(sock, {"a", "not subscribed"});
    send(sock, {"ab.end"});
}

void subscribe(zmq::socket_t &sock) {
    // "ab" first: a PUB that sends "sync" then has "ab" too (subscriptions apply in order).
    sock.set(zmq::sockopt::subscribe, "ab");
    sock.set(zmq::sockopt::subscribe, "sync");
    Frames got = recv(sock);
    if (got != Frames{"sync"}) throw Failure{"first message is not sync"};
    out("SYNCED");
    do {
        got = recv(sock);
    } while (got == Frames{"sync"});
    for (auto &[name, frames] : payloads()) {
        if (got[0] != TOPIC) throw Failure{name + ": topic " + got[0].substr(0, 20)};
        report(name, tail(got, 1), frames);
        got = recv(sock);
    }
    if (got != Frames{"ab.end"}) throw Failure{"after the payloads: " + got[0].substr(0, 20)};
}

void stream_echo(zmq::socket_t &sock) {
    Frames hello = recv(sock);
    if (hello.size() != 2 || !hello[1].empty()) throw Failure{"no connection notification"};
    const Bytes id = hello[0];
    for (auto &[name, data] : stream_payloads()) {
        Bytes got;
        while (got.size() < data.size()) {
            Frames chunk = recv(sock);
            if (chunk.size() != 2 || chunk[0] != id) throw Failure{name + ": another connection"};
            got += chunk[1];
            send(sock, chunk);
        }
        out("RECEIVED " + name + " " + std::to_string(got.size()) + " " +
            (got == data ? "ok" : "MISMATCH bytes differ"));
    }
}

void raw_client(const std::string &endpoint) {
    const std::string address = endpoint.substr(std::strlen("tcp://"));
    const size_t colon = address.rfind(':');
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
    if (inet_pton(AF_INET, address.substr(0, colon).c_str(), &sa.sin_addr) != 1) {
        throw Failure{"bad address " + address};
    }
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{TIMEOUT_MS / 1000, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0) {
        ::close(fd);
        throw Failure{"cannot connect to " + address};
    }
    for (auto &[name, data] : stream_payloads()) {
        Bytes got;
        for (size_t start = 0; start < data.size(); start += STREAM_CHUNK) {
            const size_t len = std::min(STREAM_CHUNK, data.size() - start);
            for (size_t sent = 0; sent < len;) {
                ssize_t n = ::send(fd, data.data() + start + sent, len - sent, 0);
                if (n <= 0) throw Failure{name + ": send failed"};
                sent += static_cast<size_t>(n);
            }
            const size_t want = got.size() + len;
            while (got.size() < want) {
                char buf[STREAM_CHUNK];
                ssize_t n = ::recv(fd, buf, want - got.size(), 0);
                if (n <= 0) throw Failure{name + ": connection closed or timed out"};
                got.append(buf, static_cast<size_t>(n));
            }
        }
        out("RECEIVED " + name + " " + std::to_string(got.size()) + " " +
            (got == data ? "ok" : "MISMATCH bytes differ"));
    }
    ::close(fd);
}

void refused(zmq::socket_t &sock, const std::string &role) {
    if (role == "REQ" || role == "DEALER" || role == "PUSH" || role == "PAIR-ask") {
        send(sock, {"intruder"});
        zmq::pollitem_t item{sock.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, std::chrono::milliseconds(REFUSED_MS)) > 0) {
            throw Failure{"a reply arrived"};
        }
        out("NO REPLY");
    } else {
        zmq::pollitem_t item{sock.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, std::chrono::milliseconds(REFUSED_MS)) > 0) {
            report("intruder", recv(sock), {"intruder"});
        } else {
            out("NOTHING ARRIVED");
        }
    }
}

// czmq certificate files: the text between the quotes of `public-key = "..."`.
std::string cert_key(const std::string &path, const std::string &which) {
    std::ifstream in(path);
    if (!in) throw Failure{"cannot read " + path};
    std::string line;
    while (std::getline(in, line)) {
        const size_t at = line.find(which + " = \"");
        if (at != std::string::npos && line.find_first_not_of(' ') == at) {
            const size_t start = at + which.size() + 4;
            return line.substr(start, line.find('"', start) - start);
        }
    }
    throw Failure{path + " has no " + which};
}

void write_cert(const std::string &path, const std::string &kind, const std::string &public_key,
                const std::string *secret_key) {
    std::ofstream file(path);
    file << "#   ****  Generated by the cppzmq peer of the interop matrix  ****\n"
         << "#   ZeroMQ CURVE " << kind << " Certificate\n\n"
         << "metadata\ncurve\n"
         << "    public-key = \"" << public_key << "\"\n";
    if (secret_key) file << "    secret-key = \"" << *secret_key << "\"\n";
    if (!file) throw Failure{"cannot write " + path};
}

void gencerts(const std::string &dir) {
    ::mkdir(dir.c_str(), 0755);
    ::mkdir((dir + "/allowed").c_str(), 0755);
    for (const char *name : {"server", "client", "intruder"}) {
        char public_key[41], secret_key[41];
        if (zmq_curve_keypair(public_key, secret_key) != 0) throw Failure{"no CURVE in libzmq"};
        const std::string secret(secret_key);
        write_cert(dir + "/" + name + ".key", "Public", public_key, nullptr);
        write_cert(dir + "/" + name + ".key_secret", "**Secret**", public_key, &secret);
        if (std::string(name) == "client") {
            write_cert(dir + "/allowed/client.key", "Public", public_key, nullptr);
        }
    }
}

// The public keys (Z85) in the *.key files of `dir`.
std::set<std::string> allowed_keys(const std::string &dir) {
    std::set<std::string> keys;
    DIR *d = ::opendir(dir.c_str());
    if (!d) throw Failure{"cannot read " + dir};
    while (dirent *entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".key") == 0) {
            keys.insert(cert_key(dir + "/" + name, "public-key"));
        }
    }
    ::closedir(d);
    return keys;
}

// A ZAP handler (RFC 27) on its own thread: PLAIN admits one user and password, CURVE the
// keys of an allow list.
class ZapHandler {
  public:
    ZapHandler(zmq::context_t &ctx, std::string user, std::string password,
               std::set<std::string> curve_keys)
        : socket_(ctx, ZMQ_REP) {
        socket_.set(zmq::sockopt::linger, 0);
        socket_.bind("inproc://zeromq.zap.01");
        thread_ = std::thread([this, user, password, curve_keys] {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            while (!stop_) {
                if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) <= 0) continue;
                Frames request = recv(socket_);
                bool allowed = false;
                std::string user_id;
                if (request.size() >= 6 && request[5] == "PLAIN" && request.size() == 8) {
                    allowed = request[6] == user && request[7] == password;
                    user_id = request[6];
                } else if (request.size() >= 6 && request[5] == "CURVE" && request.size() == 7 &&
                           request[6].size() == 32) {
                    char z85[41];
                    zmq_z85_encode(z85, reinterpret_cast<const uint8_t *>(request[6].data()), 32);
                    allowed = curve_keys.count(z85) > 0;
                    user_id = z85;
                }
                send(socket_, {"1.0", request.size() > 1 ? request[1] : "",
                               allowed ? "200" : "400", allowed ? "OK" : "refused",
                               allowed ? user_id : "", ""});
            }
            socket_.close();
        });
    }
    ~ZapHandler() {
        stop_ = true;
        thread_.join();
    }

  private:
    zmq::socket_t socket_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

int socket_type(const std::string &role) {
    if (role == "REQ") return ZMQ_REQ;
    if (role == "REP") return ZMQ_REP;
    if (role == "DEALER") return ZMQ_DEALER;
    if (role == "ROUTER") return ZMQ_ROUTER;
    if (role == "PAIR-ask" || role == "PAIR-echo") return ZMQ_PAIR;
    if (role == "PUSH") return ZMQ_PUSH;
    if (role == "PULL") return ZMQ_PULL;
    if (role == "PUB") return ZMQ_PUB;
    if (role == "SUB") return ZMQ_SUB;
    if (role == "STREAM") return ZMQ_STREAM;
    throw Failure{"unknown role " + role};
}

void run(const std::vector<std::string> &args) {
    const std::string &role = args[0], &mode = args[1], &endpoint = args[2], &script = args[3],
                      &mechanism = args[4];
    if (role == "RAW") {
        raw_client(endpoint);
        return;
    }
    zmq::context_t ctx;
    std::unique_ptr<ZapHandler> zap;
    zmq::socket_t sock(ctx, socket_type(role));
    sock.set(zmq::sockopt::linger, 5000);
    sock.set(zmq::sockopt::rcvtimeo, TIMEOUT_MS);
    sock.set(zmq::sockopt::sndtimeo, TIMEOUT_MS);
    if (role == "DEALER") sock.set(zmq::sockopt::routing_id, ROUTING_ID);
    if (mechanism == "plain-client" && args.size() == 7) {
        sock.set(zmq::sockopt::plain_username, args[5]);
        sock.set(zmq::sockopt::plain_password, args[6]);
    } else if (mechanism == "plain-server" && args.size() == 7) {
        zap = std::make_unique<ZapHandler>(ctx, args[5], args[6], std::set<std::string>());
        sock.set(zmq::sockopt::plain_server, 1);
    } else if (mechanism == "curve-client" && args.size() == 7) {
        sock.set(zmq::sockopt::curve_publickey, cert_key(args[5], "public-key"));
        sock.set(zmq::sockopt::curve_secretkey, cert_key(args[5], "secret-key"));
        sock.set(zmq::sockopt::curve_serverkey, cert_key(args[6], "public-key"));
    } else if (mechanism == "curve-server" && args.size() == 7) {
        zap = std::make_unique<ZapHandler>(ctx, "", "", allowed_keys(args[6]));
        sock.set(zmq::sockopt::curve_publickey, cert_key(args[5], "public-key"));
        sock.set(zmq::sockopt::curve_secretkey, cert_key(args[5], "secret-key"));
        sock.set(zmq::sockopt::curve_server, 1);
    } else if (mechanism != "null") {
        throw Failure{"bad mechanism " + mechanism};
    }

    if (mode == "bind") {
        sock.bind(endpoint);
        out("BOUND " + sock.get(zmq::sockopt::last_endpoint));
    } else {
        sock.connect(endpoint);
    }

    if (script == "refused") {
        refused(sock, role);
    } else if (role == "REQ" || role == "PAIR-ask") {
        ask(sock, {});
    } else if (role == "DEALER") {
        ask(sock, {""});
    } else if (role == "REP" || role == "PAIR-echo") {
        echo(sock, {});
    } else if (role == "ROUTER") {
        echo(sock, {ROUTING_ID, ""});
    } else if (role == "PUSH") {
        for (auto &[name, frames] : payloads()) send(sock, frames);
    } else if (role == "PULL") {
        for (auto &[name, frames] : payloads()) report(name, recv(sock), frames);
    } else if (role == "PUB") {
        publish(sock);
    } else if (role == "SUB") {
        subscribe(sock);
    } else {
        stream_echo(sock);
    }
}

}  // namespace

int main(int argc, char *argv[]) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.size() == 1 && args[0] == "version") {
            int major, minor, patch;
            zmq_version(&major, &minor, &patch);
            std::cout << "cppzmq " << CPPZMQ_VERSION_MAJOR << "." << CPPZMQ_VERSION_MINOR << "."
                      << CPPZMQ_VERSION_PATCH << " with libzmq " << major << "." << minor << "."
                      << patch << std::endl;
            return 0;
        }
        if (args.size() == 2 && args[0] == "gencerts") {
            gencerts(args[1]);
        } else if (args.size() >= 5) {
            run(args);
        } else {
            std::cerr << "usage: matrix_peer ROLE MODE ENDPOINT SCRIPT MECHANISM [ARGS]\n"
                         "       matrix_peer gencerts DIRECTORY\n";
            return 2;
        }
    } catch (const Failure &failure) {
        out("FAIL " + failure.reason);
        return 1;
    } catch (const zmq::error_t &e) {
        out(std::string("FAIL libzmq: ") + e.what());
        return 1;
    }
    out("DONE");
    return 0;
}
