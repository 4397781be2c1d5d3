// File: engine/utf8.h
//
// UTF-8 validation and encoding. Results carry text spans in proto `string` fields, which
// must hold valid UTF-8, so callers validate input before classifying.
//
//   size_t bad = 0;
//   if (!entente::IsValidUtf8(text, &bad)) { /* reject: invalid byte at `bad` */ }

#ifndef ENTENTE_ENGINE_UTF8_H_
#define ENTENTE_ENGINE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace entente {

// True if `text` is well-formed UTF-8 (no overlong forms, no surrogates, no
// code points above U+10FFFF). On failure sets *error_offset, if not null,
// to the offset of the first bad byte.
bool IsValidUtf8(absl::string_view text, size_t* error_offset = nullptr);

// Appends the UTF-8 encoding of `code_point` (at most U+10FFFF; callers
// check) to `out`.
void AppendUtf8(uint32_t code_point, std::string* out);

}  // namespace entente

#endif  // ENTENTE_ENGINE_UTF8_H_
