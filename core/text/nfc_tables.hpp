// The Unicode data of NFC (tools/gen-nfc-tables.py writes nfc_tables.cpp), each table sorted by its first field.
#pragma once
#include <cstddef>

namespace attnlab {

struct CombiningClass {
    char32_t cp;
    unsigned char ccc;  // canonical combining class, > 0 (absent: 0, a starter)
};
struct Decomposition {
    char32_t cp;
    char32_t first, second;  // one level of canonical decomposition; second = 0 for a singleton
};
struct Composition {
    char32_t first, second, composite;  // a primary composite (composition exclusions left out)
};

extern const CombiningClass k_combining_classes[];
extern const std::size_t k_combining_class_count;
extern const Decomposition k_decompositions[];
extern const std::size_t k_decomposition_count;
extern const Composition k_compositions[];
extern const std::size_t k_composition_count;

}  // namespace attnlab
