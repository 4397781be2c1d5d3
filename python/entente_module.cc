// The `entente` Python module: the C++ engine in-process.
//
//   import entente
//   rules = entente.RuleSet("rules")          # a directory or a rule file
//   rules.classify("China calls for a ceasefire.", speaker="CHN")
//   rules.classify_batch(texts, threads=2)    # the GIL is released
//   rules.score_lines(lines)                  # `entente batch` records
//
// Results are dicts in the proto3 JSON shape that `entente batch` prints
// (cli/result_json.h), so one schema serves the CLI, the service and
// Python. A RuleSet is immutable and shared by threads.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/batch.h"
#include "cli/result_json.h"
#include "engine/classifier.h"
#include "engine/compiled_rule_set.h"
#include "engine/rule_set_directory.h"
#include "engine/utf8.h"

namespace py = pybind11;

namespace entente {
namespace {

// Raised when a rule set does not load; `diagnostics` holds one
// "file:line:col: error: message" string per problem.
PyObject* rule_error = nullptr;

// The text of a str (as UTF-8) or of bytes (which must be valid UTF-8:
// ValueError naming the first bad byte otherwise).
std::string TextOf(const py::handle& text, const char* what) {
  std::string out;
  if (py::isinstance<py::bytes>(text)) {
    out = text.cast<std::string>();
  } else if (py::isinstance<py::str>(text)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(text.ptr(), &size);
    // A lone surrogate cannot be encoded: UnicodeEncodeError, a ValueError.
    if (data == nullptr) throw py::error_already_set();
    out.assign(data, static_cast<size_t>(size));
  } else {
    throw py::type_error(absl::StrCat(what, " must be str or bytes"));
  }
  size_t bad = 0;
  if (!IsValidUtf8(out, &bad)) {
    throw py::value_error(absl::StrCat(what, " is not valid UTF-8 (byte ", bad, ")"));
  }
  return out;
}

py::object JsonLoads(const std::string& json) {
  static py::object* loads = new py::object(py::module_::import("json").attr("loads"));
  return (*loads)(py::str(json));
}

class PyRuleSet {
 public:
  // Loads and compiles `path` (a rule file, or a directory and the rule set
  // called `name` in it, "default" when empty).
  PyRuleSet(const std::string& path, const std::string& name) {
    std::vector<Diagnostic> diagnostics;
    absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> rules;
    {
      py::gil_scoped_release release;
      rules = LoadRuleSetFromPath(path, name, &diagnostics);
    }
    if (!rules.ok()) {
      std::vector<std::string> lines;
      for (const Diagnostic& d : diagnostics) {
        if (d.severity == Diagnostic::Severity::kError) lines.push_back(d.ToString());
      }
      if (lines.empty()) lines.push_back(std::string(rules.status().message()));
      py::object error = py::reinterpret_borrow<py::object>(rule_error)(
          absl::StrCat("cannot load rules from ", path, ":\n", absl::StrJoin(lines, "\n")));
      error.attr("diagnostics") = py::cast(lines);
      PyErr_SetObject(rule_error, error.ptr());
      throw py::error_already_set();
    }
    rules_ = *std::move(rules);
  }

  const std::string& name() const { return rules_->name(); }
  const std::string& version() const { return rules_->version(); }

  std::vector<std::string> stances() const {
    std::vector<std::string> out;
    for (const auto& s : rules_->source().stance()) out.push_back(s.id());
    return out;
  }

  py::object Classify(const py::handle& text, const py::object& speaker, bool explain,
                      const std::string& id, bool sentences) const {
    const std::string t = TextOf(text, "text");
    ClassifyOptions options;
    options.id = id;
    options.include_sentences = sentences;
    if (!speaker.is_none()) options.speaker = TextOf(speaker, "speaker");
    options.explain = explain;
    std::string json;
    {
      py::gil_scoped_release release;
      AppendResultJson(entente::Classify(*rules_, t, options), &json);
    }
    return JsonLoads(json);
  }

  // Classifies every text on `threads` worker threads (0: one per core)
  // without the GIL; results in input order.
  py::list ClassifyBatch(const py::iterable& texts, const py::object& speakers, int threads) const {
    std::vector<std::string> inputs;
    for (const py::handle& t : texts) inputs.push_back(TextOf(t, "text"));
    std::vector<std::string> speaker_of(inputs.size());
    if (!speakers.is_none()) {
      size_t i = 0;
      for (const py::handle& s : py::iterable(speakers)) {
        if (i == inputs.size()) throw py::value_error("more speakers than texts");
        if (!s.is_none()) speaker_of[i] = TextOf(s, "speaker");
        ++i;
      }
      if (i != inputs.size()) throw py::value_error("fewer speakers than texts");
    }
    std::vector<std::string> json(inputs.size());
    {
      py::gil_scoped_release release;
      int n = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
      n = std::max(1, std::min<int>(n, static_cast<int>(inputs.size())));
      std::vector<std::thread> workers;
      for (int w = 0; w < n; ++w) {
        workers.emplace_back([&, w] {
          ClassifierScratch scratch;
          for (size_t i = w; i < inputs.size(); i += n) {
            ClassifyOptions options;
            options.speaker = speaker_of[i];
            options.include_sentences = false;
            AppendResultJson(entente::Classify(*rules_, inputs[i], options, &scratch), &json[i]);
          }
        });
      }
      for (std::thread& t : workers) t.join();
    }
    py::list out;
    for (const std::string& j : json) out.append(JsonLoads(j));
    return out;
  }

  // Scores JSON Lines records exactly as `entente batch` does (the same
  // result and error records, cli/batch.h), numbering them from
  // `first_line`; blank lines are skipped but counted. Returns the output
  // lines and the counts {"documents", "errors", "annotations"}.
  py::tuple ScoreLines(const py::iterable& lines, int64_t first_line, const std::string& id_field,
                       const std::string& text_field, const std::string& speaker_field,
                       const std::string& default_speaker, double min_score) const {
    std::vector<BatchRecord> records;
    int64_t number = first_line;
    for (const py::handle& l : lines) {
      std::string line =
          py::isinstance<py::bytes>(l) ? l.cast<std::string>() : py::str(l).cast<std::string>();
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      const int64_t this_line = number++;
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      records.push_back({this_line, std::move(line)});
    }
    BatchOptions options;
    options.id_field = id_field;
    options.text_field = text_field;
    options.speaker_field = speaker_field;
    options.default_speaker = default_speaker;
    options.min_score = min_score;
    ScoredRecords scored;
    {
      py::gil_scoped_release release;
      scored = ScoreRecords(*rules_, options, records);
    }
    py::dict counts;
    counts["documents"] = scored.counts.documents;
    counts["errors"] = scored.counts.errors;
    counts["annotations"] = py::cast(scored.counts.annotations);
    return py::make_tuple(py::bytes(scored.output), counts);
  }

 private:
  std::shared_ptr<const CompiledRuleSet> rules_;
};

}  // namespace
}  // namespace entente

PYBIND11_MODULE(entente, m) {
  using entente::PyRuleSet;
  m.doc() = "entente: rule-based stance classification (the C++ engine, in-process)";
  entente::rule_error = PyErr_NewExceptionWithDoc(
      "entente.RuleError",
      "A rule set did not load; .diagnostics lists file:line:col: error: message.",
      PyExc_ValueError, nullptr);
  m.attr("RuleError") = py::handle(entente::rule_error);

  py::class_<PyRuleSet>(m, "RuleSet", "A compiled rule set; immutable and shared by threads.")
      .def(py::init<const std::string&, const std::string&>(), py::arg("path"),
           py::arg("name") = "",
           "Loads a rule file, or the rule set `name` (default: \"default\") of a rules "
           "directory. Raises RuleError with .diagnostics when it does not compile.")
      .def_property_readonly("name", &PyRuleSet::name)
      .def_property_readonly("version", &PyRuleSet::version)
      .def_property_readonly("stances", &PyRuleSet::stances)
      .def("classify", &PyRuleSet::Classify, py::arg("text"), py::arg("speaker") = py::none(),
           py::arg("explain") = false, py::arg("id") = "", py::arg("sentences") = false,
           "Classifies one text (str, or UTF-8 bytes); returns the result as a dict in the "
           "JSON shape of `entente batch` (with every sentence's offsets when `sentences`). "
           "ValueError for bytes that are not UTF-8.")
      .def("classify_batch", &PyRuleSet::ClassifyBatch, py::arg("texts"),
           py::arg("speakers") = py::none(), py::arg("threads") = 0,
           "Classifies many texts on worker threads (0: one per core), without the GIL; "
           "a list of result dicts in input order.")
      .def("score_lines", &PyRuleSet::ScoreLines, py::arg("lines"), py::arg("first_line") = 1,
           py::arg("id_field") = "id", py::arg("text_field") = "text",
           py::arg("speaker_field") = "speaker", py::arg("default_speaker") = "",
           py::arg("min_score") = 0.0,
           "Scores JSON Lines records as `entente batch` does; returns (output bytes, counts).");
}
