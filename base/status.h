// Status and Result<T>: the error vocabulary of every shale module.
//
// A Status is either OK (free: no allocation) or a code plus a message.
// Codes are few and their meaning decides behaviour: Unavailable is the only
// retryable one; DataLoss means a digest mismatch or corruption.
// Context is added outermost first with Annotate():
//   "pushing x: uploading blob sha256:..: Unavailable: HTTP 503".
#ifndef SHALE_BASE_STATUS_H_
#define SHALE_BASE_STATUS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace shale {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kFailedPrecondition,
  kUnavailable,  // retryable
  kDataLoss,     // digest mismatch, corruption, truncation
  kUnimplemented,
  kCancelled,
  kInternal,
  kResourceExhausted,  // a cap was hit (size, count, depth)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The message without the code name; empty when OK.
  const std::string& message() const;
  // "Code: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message reads "context: <old message>". OK stays OK.
  Status Annotate(std::string_view context) const;

  void IgnoreError() const {}

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status PermissionDeniedError(std::string message);
Status FailedPreconditionError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status UnimplementedError(std::string message);
Status CancelledError(std::string message);
Status InternalError(std::string message);
Status ResourceExhaustedError(std::string message);

// The one place errno becomes a Status: "context: strerror (errno name)".
// ENOENT -> NotFound, EEXIST -> AlreadyExists, EACCES/EPERM -> PermissionDenied,
// ENOSPC/EDQUOT/ENOMEM -> ResourceExhausted, EINTR/EAGAIN -> Unavailable,
// EINVAL/ENAMETOOLONG/ELOOP/EXDEV -> InvalidArgument/FailedPrecondition, else Internal.
Status ErrnoToStatus(int err, std::string_view context);

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "Result constructed from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T other) const& { return ok() ? value() : std::move(other); }

 private:
  std::variant<Status, T> v_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) { return r.status(); }
}  // namespace internal

}  // namespace shale

#define SHALE_CONCAT_INNER_(a, b) a##b
#define SHALE_CONCAT_(a, b) SHALE_CONCAT_INNER_(a, b)

// Returns from the enclosing function when expr (Status or Result) is not OK.
#define RETURN_IF_ERROR(expr)                                       \
  do {                                                              \
    ::shale::Status shale_status_ = ::shale::internal::AsStatus(expr); \
    if (!shale_status_.ok()) return shale_status_;                  \
  } while (0)

// ASSIGN_OR_RETURN(auto x, F()); declares/assigns lhs or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(SHALE_CONCAT_(shale_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // SHALE_BASE_STATUS_H_
