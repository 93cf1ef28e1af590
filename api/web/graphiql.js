// GraphiQL on ClaimGraph's /graphql, opened with the XNLI question; every file is served by ClaimGraph.
const XNLI_QUERY = `# Which claims about XNLI are verified by every report that asserts them,
# and what does the verifier say? Press Ctrl-Enter (or the play button) to run.
query XnliVerified {
  claims(where: { benchmark: { name: "XNLI" }, verdict: SUPPORTED }) {
    edges {
      node {
        key
        text
        reportVerdict
        assertions { verified confidence report { sourceName } }
        verdict { verdict score reason }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;
const url = window.location.origin + window.location.pathname;
const fetcher = GraphiQL.createFetcher({ url });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery: XNLI_QUERY, defaultEditorToolsVisibility: false }),
);
