#include "builder/cli/go_template.h"

#include <gtest/gtest.h>

namespace shale::cli {
namespace {

using Json = nlohmann::ordered_json;

GoTemplateData View() {
  GoTemplateData d;
  d.map_fields = {"Labels", "ImageAnnotations"};
  d.root = Json::parse(R"({
    "FromImageID": "abc123",
    "Docker": {"config": {"Env": ["PATH=/bin", "A=b c"], "Labels": {}, "OnBuild": ["RUN a", "RUN b"]},
               "rootfs": {"type": "layers", "diff_ids": ["sha256:1", "sha256:2"]},
               "os.version": "1.0", "architecture": "arm"},
    "OCIv1": {"config": {"Labels": {"k": "v", "a": "x<y"}, "Cmd": []}},
    "History": [{"created_by": "/bin/sh -c one"}, {"created_by": "/bin/sh -c two", "empty_layer": true}],
    "ImageAnnotations": {"test": "annotation1,annotation2=z"}
  })");
  return d;
}

std::string Render(const std::string& t) {
  auto r = RenderGoTemplate(t, View());
  EXPECT_TRUE(r.ok()) << t << ": " << r.status().ToString();
  return r.ok() ? *r : "";
}

TEST(GoTemplate, FieldsPrintLikeGoFmt) {
  EXPECT_EQ(Render("{{.Docker.Config.Env}}"), "[PATH=/bin A=b c]");
  EXPECT_EQ(Render("{{.OCIv1.Config.Labels}}"), "map[a:x<y k:v]");
  EXPECT_EQ(Render("{{.Docker.Config.Labels}}"), "map[]");
  EXPECT_EQ(Render("{{.OCIv1.Config.Cmd}}"), "[]");
  EXPECT_EQ(Render("{{.Docker.RootFS.DiffIDs}}"), "[sha256:1 sha256:2]");
  EXPECT_EQ(Render("{{ .Docker.OSVersion }} {{.Docker.Architecture}}"), "1.0 arm");
  EXPECT_EQ(Render("id={{.FromImageID}}"), "id=abc123");
  EXPECT_EQ(Render("{{.Docker.RootFS}}"), "{layers [sha256:1 sha256:2]}");
}

TEST(GoTemplate, Functions) {
  EXPECT_EQ(Render("{{len .Docker.RootFS.DiffIDs}}"), "2");
  EXPECT_EQ(Render(R"({{index .OCIv1.Config.Labels "k"}})"), "v");
  EXPECT_EQ(Render(R"({{index .OCIv1.Config.Labels "missing"}})"), "");
  EXPECT_EQ(Render(R"({{ index .ImageAnnotations "test" }})"), "annotation1,annotation2=z");
  EXPECT_EQ(Render("{{index .History}}"), "[{/bin/sh -c one} {/bin/sh -c two true}]");
  EXPECT_EQ(Render("{{index .Docker.Config.Env 1}}"), "A=b c");
  EXPECT_EQ(Render("{{json .OCIv1.Config.Labels}}"), R"({"k":"v","a":"x\u003cy"})");
  EXPECT_EQ(Render(R"({{printf "%q" .Docker.Config.OnBuild}})"), R"(["RUN a" "RUN b"])");
  EXPECT_EQ(Render(R"({{printf "%q" .Docker.Config.Labels}})"), "map[]");
  EXPECT_EQ(Render(R"({{printf "%q" .OCIv1.Config.Labels}})"), R"(map["a":"x<y" "k":"v"])");
  EXPECT_EQ(Render(R"({{printf "%s-%d%%" .FromImageID 7}})"), "abc123-7%");
  EXPECT_EQ(Render("{{.Docker.Config.Env | len}}"), "2");
  EXPECT_EQ(Render("{{(index .History 1).CreatedBy}}"), "/bin/sh -c two");
}

TEST(GoTemplate, RangeIfWithAndTrim) {
  EXPECT_EQ(Render("{{range .History}}{{println .CreatedBy}}{{end}}"), "/bin/sh -c one\n/bin/sh -c two\n");
  EXPECT_EQ(Render("{{range .OCIv1.Config.Labels}}[{{.}}]{{end}}"), "[x<y][v]");
  EXPECT_EQ(Render("{{range .OCIv1.Config.Cmd}}x{{else}}none{{end}}"), "none");
  EXPECT_EQ(Render("{{range .History}}{{if .EmptyLayer}}E{{else}}L{{end}}{{end}}"), "LE");
  EXPECT_EQ(Render("{{if eq .FromImageID \"zzz\"}}a{{else if .FromImageID}}b{{else}}c{{end}}"), "b");
  EXPECT_EQ(Render("{{with .Docker.Config}}{{.Env}}{{end}}"), "[PATH=/bin A=b c]");
  EXPECT_EQ(Render("a  {{- .FromImageID -}}  b"), "aabc123b");
  EXPECT_EQ(Render("{{/* comment */}}x"), "x");
  EXPECT_EQ(Render("{{.Docker.NoSuchField}}"), "<no value>");
  EXPECT_EQ(Render("{{.OCIv1.Config.Labels.k}} {{.OCIv1.Config.Labels.nope}}"), "v <no value>");
}

TEST(GoTemplate, Errors) {
  for (const char* bad : {"{{.A", "{{if .FromImageID}}x", "{{nosuch .FromImageID}}", "{{end}}",
                          "{{index .Docker.Config.Env 5}}", "{{$x := 1}}",
                          "{{\"unterminated}}", "{{range .FromImageID}}{{end}}"}) {
    auto r = RenderGoTemplate(bad, View());
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(GoTemplate, DeepNestingIsRefused) {
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "(";
  deep = "{{" + deep + ".FromImageID" + std::string(500, ')') + "}}";
  auto r = RenderGoTemplate(deep, View());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  std::string ifs;
  for (int i = 0; i < 500; ++i) ifs += "{{if .FromImageID}}";
  EXPECT_FALSE(RenderGoTemplate(ifs, View()).ok());
}

}  // namespace
}  // namespace shale::cli
