export const id = 475;
export const ids = [475];
export const modules = {

/***/ 6475:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   publishCheckRun: () => (/* binding */ publishCheckRun),
/* harmony export */   publishComment: () => (/* binding */ publishComment)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9243);
/* harmony import */ var _report_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1728);
/* harmony import */ var _report_common_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1176);
/* harmony import */ var _report_summary_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4681);
/**
 * What the gate writes to GitHub besides the step's own log: the pull-request comment (one per PR,
 * found again by its hidden marker and updated in place) and a check run that carries every
 * annotation (a step shows only 10 per level; the Checks API takes 50 per request). A missing token
 * or permission never fails the gate: the caller logs what we return.
 */




const CHECK_ANNOTATIONS_PER_REQUEST = 50;
/** The Checks API caps output.summary at 65,535 characters; a byte budget under it is safe for any text. */
const CHECK_SUMMARY_BYTES = 60_000;
async function github() {
    return __webpack_require__.e(/* import() */ 413).then(__webpack_require__.bind(__webpack_require__, 2413));
}
function permissionHint(error, permission, input) {
    const status = error.status;
    return status === 403 || status === 404 ? ` (give the job \`permissions: ${permission}: write\`, or set ${input}: false)` : '';
}
/** The PR comment; nothing outside pull-request events. */
async function publishComment(report, options) {
    const { context, getOctokit } = await github();
    const pr = context.payload.pull_request;
    if (!pr)
        return undefined;
    if (!options.token)
        return { level: 'warning', message: 'pr-comment: no github-token, so no PR comment was written' };
    const body = (0,_report_index_js__WEBPACK_IMPORTED_MODULE_0__/* .renderComment */ .wQ)(report, { redactor: options.redactor, runUrl: options.runUrl, blobBaseUrl: options.blobBaseUrl });
    try {
        const octokit = getOctokit(options.token, { request: { signal: options.signal } });
        const { owner, repo } = context.repo;
        const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 });
        const mine = comments.find((c) => c.body?.includes(_report_index_js__WEBPACK_IMPORTED_MODULE_0__/* .COMMENT_MARKER */ .JO));
        if (mine)
            await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
        else
            await octokit.rest.issues.createComment({ owner, repo, issue_number: pr.number, body });
        return undefined;
    }
    catch (error) {
        return { level: 'warning', message: `pr-comment: could not write the PR comment: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .g)(error)}${permissionHint(error, 'pull-requests', 'pr-comment')}` };
    }
}
/**
 * A completed check run on the commit, with every file annotation. Optional: without `checks: write`
 * the step's own annotations remain, so a refusal is only an info line.
 */
async function publishCheckRun(report, options) {
    const { context, getOctokit } = await github();
    if (!options.token || !context.sha)
        return undefined;
    const annotations = (0,_report_index_js__WEBPACK_IMPORTED_MODULE_0__/* .buildAnnotations */ .P)(report, { redactor: options.redactor, maxPerLevel: Infinity })
        .filter((a) => a.file && a.startLine)
        .map((a) => ({
        path: a.file,
        start_line: a.startLine,
        end_line: a.endLine ?? a.startLine,
        annotation_level: a.level === 'error' ? 'failure' : a.level === 'warning' ? 'warning' : 'notice',
        title: a.title,
        message: a.message,
    }));
    // The verdict as every other reporter words it: it follows fail-on (a run blocked by warnings says
    // so) and says when only part of the catalog was run. `report.ready` already follows fail-on.
    const title = options.redactor.redact((0,_report_common_js__WEBPACK_IMPORTED_MODULE_1__/* .verdictText */ .nt)(report));
    const summary = (0,_report_summary_js__WEBPACK_IMPORTED_MODULE_2__/* .renderWithBudget */ .Eb)(report, { redactor: options.redactor, runUrl: options.runUrl, docsBaseUrl: options.blobBaseUrl }, CHECK_SUMMARY_BYTES);
    try {
        const octokit = getOctokit(options.token, { request: { signal: options.signal } });
        const { owner, repo } = context.repo;
        const head_sha = context.payload.pull_request?.head?.sha ?? context.sha;
        const batches = [];
        for (let i = 0; i < annotations.length; i += CHECK_ANNOTATIONS_PER_REQUEST)
            batches.push(annotations.slice(i, i + CHECK_ANNOTATIONS_PER_REQUEST));
        const output = (batch) => ({ title, summary, annotations: batch });
        const created = await octokit.rest.checks.create({
            owner,
            repo,
            head_sha,
            name: 'Production readiness',
            status: 'completed',
            conclusion: report.ready ? 'success' : 'failure',
            details_url: options.runUrl,
            output: output(batches[0] ?? []),
        });
        for (const batch of batches.slice(1)) {
            await octokit.rest.checks.update({ owner, repo, check_run_id: created.data.id, output: output(batch) });
        }
        return undefined;
    }
    catch (error) {
        const status = error.status;
        if (status === 403 || status === 404) {
            return { level: 'info', message: 'check run: not written (the token may not write checks; give the job `permissions: checks: write` to get every annotation in one check run)' };
        }
        return { level: 'warning', message: `check run: could not be written: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .g)(error)}` };
    }
}


/***/ })

};
