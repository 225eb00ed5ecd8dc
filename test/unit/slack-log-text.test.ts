import { describe, expect, it } from '@jest/globals';
import { isTextFile, logTextOf } from '../../src/jobs/processors/ci-triage-log.ts';
import { slackFileHosts } from '../../src/slack/files.ts';

describe('a log in Slack', () => {
  it('reads a message’s mrkdwn back as the log that was pasted', () => {
    expect(
      logTextOf(
        '```npm ERR! 404 &lt;https://registry.npmjs.org/x&gt; a &amp;&amp; b\n<https://ci.example/1|see>```',
      ),
    ).toBe('npm ERR! 404 <https://registry.npmjs.org/x> a && b\nhttps://ci.example/1');
    // Mentions stay text: the messenger escapes every special one in what is posted.
    expect(logTextOf('<!channel> failed')).toBe('<!channel> failed');
  });

  it('tells text files and snippets from images and archives', () => {
    const f = (o: object) => ({ id: 'F1', name: 'x', ...o });
    expect(isTextFile(f({ mimetype: 'text/plain', filetype: 'text' }))).toBe(true);
    expect(isTextFile(f({ mode: 'snippet', filetype: 'shell', mimetype: '' }))).toBe(true);
    expect(isTextFile(f({ mimetype: 'application/octet-stream', filetype: 'log' }))).toBe(true);
    expect(isTextFile(f({ mimetype: 'image/png', filetype: 'png' }))).toBe(false);
    expect(isTextFile(f({ mimetype: 'application/zip', filetype: 'zip' }))).toBe(false);
  });

  it('downloads files only from Slack’s own hosts: the API’s host, or files. under it', () => {
    expect(slackFileHosts().map((h) => `${h.host}:${h.port}`)).toEqual([
      'slack.com:443',
      'files.slack.com:443',
    ]);
    expect(slackFileHosts('https://slack-gov.com/api/').map((h) => h.host)).toEqual([
      'slack-gov.com',
      'files.slack-gov.com',
    ]);
    expect(slackFileHosts('http://127.0.0.1:5555/api/').map((h) => `${h.host}:${h.port}`)).toEqual([
      '127.0.0.1:5555',
    ]);
  });
});
