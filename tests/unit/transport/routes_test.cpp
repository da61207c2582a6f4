// The reference's URL space (§1.2): which endpoint a request reaches and the
// exact error the Go mux answers otherwise.
#include "transport/routes.hpp"

#include <gtest/gtest.h>

using namespace covsigner::transport;

TEST(Routes, HealthzAnswersGetAndHeadOnly) {
  EXPECT_EQ(route_request("GET", "/healthz", false).kind, endpoint::healthz);
  EXPECT_EQ(route_request("HEAD", "/healthz", false).kind, endpoint::healthz);
  auto post = route_request("POST", "/healthz", false);
  EXPECT_EQ(post.kind, endpoint::rejected);
  EXPECT_EQ(post.status, 405);
}

TEST(Routes, SubmitAndBodyPollArePostOnly) {
  auto submit = route_request("POST", "/v1/qc_v1/signer/requests", false);
  EXPECT_EQ(submit.kind, endpoint::submit);
  EXPECT_EQ(submit.route, "qc_v1");
  EXPECT_EQ(route_request("POST", "/v1/qc_v1/signer/requests:poll", false).kind,
            endpoint::poll_body);
  auto get = route_request("GET", "/v1/qc_v1/signer/requests", false);
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.allow, "POST");
}

TEST(Routes, SelfV1RoutesAreDarkUnlessEnabled) {
  auto dark = route_request("POST", "/v1/self_v1/signer/requests", false);
  EXPECT_EQ(dark.status, 404);
  EXPECT_EQ(dark.body, "404 page not found");
  EXPECT_EQ(route_request("POST", "/v1/self_v1/signer/requests", true).kind, endpoint::submit);
}

TEST(Routes, PathPollUnescapesTheRequestIdOnce) {
  auto r = route_request("POST", "/v1/qc_v1/signer/requests/kcs_qc_%61bc:poll", false);
  ASSERT_EQ(r.kind, endpoint::poll_path);
  EXPECT_EQ(r.request_id, "kcs_qc_abc");
}

TEST(Routes, PathPollRejectsOtherMethodsWith405BeforeLookingAtThePath) {
  auto r = route_request("GET", "/v1/qc_v1/signer/requests/whatever", false);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.allow, "POST");
  EXPECT_EQ(r.body, "method not allowed");
}

TEST(Routes, PathPollRejectsMissingSuffixEmptyIdSlashAndBadEscapes) {
  for (auto path : {"/v1/qc_v1/signer/requests/abc", "/v1/qc_v1/signer/requests/:poll",
                    "/v1/qc_v1/signer/requests/a/b:poll", "/v1/qc_v1/signer/requests/a%2Fb:poll",
                    "/v1/qc_v1/signer/requests/a%zz:poll", "/v1/qc_v1/signer/requests/a%2:poll"}) {
    auto r = route_request("POST", path, false);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body, "404 page not found") << path;
  }
}

TEST(Routes, UnknownPathsAndRoutesAre404) {
  for (auto path : {"/", "/v1", "/v1/qc_v2/signer/requests", "/v1/qc_v1/other", "/v2/qc_v1"})
    EXPECT_EQ(route_request("POST", path, true).status, 404) << path;
}

TEST(PathUnescape, DecodesPercentEscapesAndKeepsPlus) {
  EXPECT_EQ(path_unescape("a%20b+c"), "a b+c");
  EXPECT_EQ(path_unescape("%41%4a%4A"), "AJJ");
  EXPECT_FALSE(path_unescape("%"));
  EXPECT_FALSE(path_unescape("%4"));
  EXPECT_FALSE(path_unescape("%g0"));
}

TEST(Routes, AdminCertificateRouteIsPostOnly) {
  EXPECT_EQ(route_request("POST", "/v1/admin/signer-approval-certificates", false).kind,
            endpoint::admin_certificate);
  auto get = route_request("GET", "/v1/admin/signer-approval-certificates", false);
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.allow, "POST");
  auto other = route_request("POST", "/v1/admin/other", false);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body, "404 page not found");
}
