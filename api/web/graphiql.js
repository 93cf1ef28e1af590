// GraphiQL on ClaimGraph's /graphql, opened with the XNLI question; every file is served by ClaimGraph.
const XNLI_QUERY = `# Which claims about XNLI are verified? Each claim's status, what its reports assert (✓/×)
# and what the verifier found. Add "verdict: SUPPORTED" to the where for the verified ones only.
# Press Ctrl-Enter (or the play button) to run.
query XnliClaims {
  claims(where: { benchmark: { name: "XNLI" } }) {
    edges {
      node {
        key
        text
        status
        reportVerdict
        assertions { verified confidence report { sourceName } }
        verdict { verdict probabilitySupported probabilityRefuted reason }
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
