"""The step language of INDEX.tsv (see its SOURCE.md) and bash-style expansion,
for buildah_bud.py. Parsing raises Skip for anything outside the language."""
import re


class Skip(Exception):
    pass


class Fail(Exception):
    pass


CMD_VERBS = ("build", "inspect", "images", "rmi", "rm")
# $name, ${name}, ${name#word}, ${name%word}, ${#lines[*]}, ${lines[N]}, ${lines[$i]}
VAR_RE = re.compile(r"\$(?:\{(#?)([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?(?:([#%])([^}]*))?\}"
                    r"|([A-Za-z_][A-Za-z0-9_]*))")
SHELL_SUBST = re.compile(r"<<<|<\(|\$\(|`|(^|\s)<\s")


def var_names(text):
    """Names of the variables a text refers to (not counting escaped \\$)."""
    out = []
    for m in VAR_RE.finditer(text):
        if text[m.start() - 1:m.start()] == "\\":
            continue
        out.append(m.group(2) or m.group(6))
        idx = m.group(3)
        if idx and idx.startswith("$"):
            out.append(idx[1:])
    return out


def bats_lines(output):
    """bats' ${lines[@]}: the output split on newlines, empty lines dropped."""
    return [ln for ln in output.split("\n") if ln != ""]


def split_steps(text):
    return [s.strip() for s in text.split("; ") if s.strip()]


def shell_words(text, limit):
    """The first `limit` shell words of text (quotes removed; the rest, such as
    an assert's message that the index cut or continued, is ignored)."""
    words, i, n = [], 0, len(text)
    while i < n and len(words) < limit:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n or text[i] == "\\" and text[i + 1:].strip() == "":
            break
        word, quoted = [], False
        while i < n and text[i] not in " \t":
            c = text[i]
            if c == "'":
                j = text.find("'", i + 1)
                if j < 0:
                    raise Skip("unbalanced quote in: " + text[:80])
                word.append(text[i + 1:j])
                i, quoted = j + 1, True
            elif c == '"':
                j, buf = i + 1, []
                while j < n and text[j] != '"':
                    if text[j] == "\\" and j + 1 < n and text[j + 1] in '"\\$`':
                        buf.append(text[j:j + 2] if text[j + 1] == "$" else text[j + 1])
                        j += 2
                        continue
                    buf.append(text[j])
                    j += 1
                if j >= n:
                    raise Skip("unbalanced quote in: " + text[:80])
                word.append("".join(buf))
                i, quoted = j + 1, True
            elif c == "\\" and i + 1 < n:
                word.append(text[i + 1])
                i += 2
            else:
                word.append(c)
                i += 1
        if word or quoted:
            words.append("".join(word))
    return words


def parse_expect(exp):
    """'== "X"' / '=~ "X"' -> (op, raw X)."""
    m = re.match(r'^(==|=~)\s+"(.*)"$', exp, re.S)
    if not m:
        raise Skip("cannot read expectation: " + exp)
    return m.group(1), m.group(2)


VALUE_FLAGS = ("-f", "--file", "-t", "--tag", "--build-arg", "--iidfile", "--from", "--platform", "--format")
ASSERT_OPS = ("==", "=", "!=", "=~", "!~", "-eq", "-ne", "-gt", "-ge", "-lt", "-le")


def parse_step(step):
    """Returns a tuple describing the step, or raises Skip."""
    if step.endswith(" ..."):
        raise Skip("index row truncated at 1500 characters")
    m = re.match(r"^(build|inspect|images|rmi|rm)(?:\s+(.*?))?\s*=>\s*(ok|exit (\d+))$", step, re.S)
    if m:
        args = m.group(2) or ""
        if args.endswith("\\") or args == "\\":
            raise Skip("%s arguments continue on lines the index does not show" % m.group(1))
        last = args.split()[-1:]
        if last and last[0] in VALUE_FLAGS:
            raise Skip("the index row drops the value of %s %s" % (m.group(1), last[0]))
        want = 0 if m.group(3) == "ok" else int(m.group(4))
        return ("cmd", m.group(1), args, want)
    if step == "helper _prefetch":
        return ("nop",)
    if step == "helper build_signalled":
        return ("signalled",)
    if step.startswith("helper "):
        raise Skip("needs upstream helper " + step[7:])
    if step.startswith("write "):
        return ("write", step[6:].strip())
    m = re.match(r"^expect (\d+) output lines$", step)
    if m:
        return ("lines", int(m.group(1)))
    m = re.match(r"^expect output (.*)$", step, re.S)
    if m:
        op, val = parse_expect(m.group(1))
        neg = re.match(r"^\[(?:no instance of|not expecting to see) '(.*)'\]$", val)
        if op == "==" and neg:
            return ("assert", "$output", "!~", re.escape(neg.group(1)))
        return ("assert", "$output", op, val)
    m = re.match(r'^expect \(("?)(.*?)\1\) (.*)$', step, re.S)
    if m:
        op, val = parse_expect(m.group(3))
        return ("assert", m.group(2), op, val)
    if step.startswith("assert "):
        words = shell_words(step[7:], 3)
        if len(words) < 3 or words[1] not in ASSERT_OPS:
            raise Skip("cannot read assert: " + step[7:][:120])
        return ("assert", words[0], words[1], words[2])
    if step.startswith("shell "):
        return ("shell", step[6:])
    raise Skip("unknown step: " + step[:60])


def posix_to_python(rx):
    classes = {"[:cntrl:]": r"\x00-\x1f\x7f", "[:space:]": r"\s", "[:digit:]": "0-9",
               "[:alpha:]": "A-Za-z", "[:alnum:]": "A-Za-z0-9", "[:upper:]": "A-Z",
               "[:lower:]": "a-z", "[:xdigit:]": "0-9A-Fa-f", "[:punct:]": r"!-/:-@\[-`{-~"}
    for k, v in classes.items():
        rx = rx.replace(k, v)
    # glibc's ERE takes an unmatched ')' literally; Python's re does not.
    out, depth, i, in_bracket = [], 0, 0, False
    while i < len(rx):
        c = rx[i]
        if c == "\\" and i + 1 < len(rx):
            out.append(rx[i:i + 2])
            i += 2
            continue
        if in_bracket:
            in_bracket = c != "]"
        elif c == "[":
            in_bracket = True
        elif c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                c = "\\)"
            else:
                depth -= 1
        out.append(c)
        i += 1
    return "".join(out)
