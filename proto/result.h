// Errors as values: Error names what went wrong (a stable machine code, a message for
// people, and the offending field when there is one); Result<T> holds a T or an Error.
//
// Thread-safety: plain values; no shared state.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace hookbroker {

struct Error {
  // Stable, machine-readable code, e.g. "invalid_field", "missing_field", "invalid_json".
  std::string code;
  // One sentence for a person: what is wrong and, where it helps, what is expected.
  std::string message;
  // The input field the error is about ("groupId", "callBackUrl"); empty when none.
  std::string field;

  static Error Invalid(std::string field, std::string message) {
    return Error{"invalid_field", std::move(message), std::move(field)};
  }
  static Error Missing(std::string field) {
    std::string msg = field + " is required";
    return Error{"missing_field", std::move(msg), std::move(field)};
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Error> v_;
};

// A Result without a value: ok, or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace hookbroker
