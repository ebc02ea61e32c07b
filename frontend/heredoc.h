// Here-document recognition (BuildKit rules). A word is a heredoc opener when
// it reads [digits]<<[-][blanks]NAME with no further '<'; NAME is lexed as a
// shell word (quotes removed, unset $vars kept), must be a single word, and
// any quoting in it turns expansion of the body off.
#ifndef SHALE_FRONTEND_HEREDOC_H_
#define SHALE_FRONTEND_HEREDOC_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "frontend/ast.h"

namespace shale::frontend {

// nullopt: not a heredoc word. Error: an unbalanced quote in the name.
Result<std::optional<Heredoc>> ParseHeredocWord(std::string_view word);
// The heredocs opened on an instruction line, in order (bodies empty).
Result<std::vector<Heredoc>> HeredocsFromLine(std::string_view line);
// Removes leading tabs from every line (what `<<-` means).
std::string ChompHeredocContent(std::string_view content);

}  // namespace shale::frontend

#endif  // SHALE_FRONTEND_HEREDOC_H_
