"""Every role × every page and API endpoint: who is let in, and how everyone else is refused.

The world is the demo (the reference cluster's 2016, played up to the proposals phase), so
every page has real objects behind it. Each persona asks for every URL the resolver knows,
with GET and with an empty POST, and the answer is compared with the table below:

    ok     let in (the page, a download, a redirect after the change, or the form's own
           refusal of the empty POST: 400 / 409 / 422 come after the permission check)
    403    refused: may see the year, may not do this
    404    refused: may not even know it exists
    401    the API without a valid token
    422    the API refuses the empty body before looking any further
    login  sent to the login page
    405    the method is not accepted at all

Each request runs in a transaction rolled back afterwards, so the personas never change the
world for one another. A URL the table does not list fails the test: whoever adds a page
decides, here, who may open it.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from thidua.api.actions import do_create_token
from thidua.award_history.models import AwardType, Decision
from thidua.awards.models import EvidenceFile, Nomination
from thidua.conference.models import Attendee, NewsArticle
from thidua.demo.play import Demo
from thidua.indicators.models import Indicator
from thidua.notifications.models import Subscription
from thidua.orgs.models import Person, User
from thidua.scoring.models import Criterion, Dispute, Evidence, Score
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin",
    "supervisor",
    "secretariat",
    "leader",
    "officer",
    "other_unit",
    "outsider",
    "anonymous",
]

# The answers, persona by persona in the order above. The unit pages are Lai Châu's: the
# leader and the officer are Lai Châu's, "other_unit" is Điện Biên's officer.
EXPECTED = """
# name                             method admin  superv secret leader officr other  outsdr anon
admin:index                        GET   ok     login  login  login  login  login  login  login
admin:index                        POST  ok     login  login  login  login  login  login  login
api:add_indicator                  GET   ok     ok     ok     ok     ok     ok     404    401
api:add_indicator                  POST  ok     403    ok     403    403    403    404    401
api:api-root                       GET   404    404    404    404    404    404    404    404
api:api-root                       POST  404    404    404    404    404    404    404    404
api:article                        GET   ok     403    ok     403    403    403    404    401
api:article                        POST  405    405    405    405    405    405    405    405
api:article_draft                  GET   405    405    405    405    405    405    405    405
api:article_draft                  POST  ok     403    ok     403    403    403    404    401
api:article_edit                   GET   405    405    405    405    405    405    405    405
api:article_edit                   POST  ok     403    ok     403    403    403    404    401
api:article_new                    GET   ok     403    ok     403    403    403    404    401
api:article_new                    POST  ok     403    ok     403    403    403    404    401
api:article_publish                GET   405    405    405    405    405    405    405    405
api:article_publish                POST  ok     403    ok     403    403    403    404    401
api:articles                       GET   ok     403    ok     403    403    403    404    401
api:articles                       POST  ok     403    ok     403    403    403    404    401
api:assessment                     GET   ok     ok     ok     ok     ok     ok     404    401
api:assessment                     POST  405    405    405    405    405    405    405    405
api:bands_set                      GET   405    405    405    405    405    405    405    405
api:bands_set                      POST  ok     403    ok     403    403    403    404    401
api:cast_ballot                    GET   405    405    405    405    405    405    405    405
api:cast_ballot                    POST  ok     ok     ok     ok     ok     ok     ok     401
api:certificates_job               GET   405    405    405    405    405    405    405    405
api:certificates_job               POST  ok     ok     403    403    403    403    404    401
api:check_receipt                  GET   405    405    405    405    405    405    405    405
api:check_receipt                  POST  ok     ok     ok     ok     ok     ok     ok     401
api:cluster                        GET   ok     ok     ok     ok     ok     ok     404    401
api:cluster                        POST  405    405    405    405    405    405    405    405
api:cluster_figures                GET   ok     ok     ok     ok     ok     ok     404    401
api:cluster_figures                POST  405    405    405    405    405    405    405    405
api:clusters                       GET   ok     ok     ok     ok     ok     ok     ok     401
api:clusters                       POST  405    405    405    405    405    405    405    405
api:copy_previous                  GET   405    405    405    405    405    405    405    405
api:copy_previous                  POST  ok     403    ok     403    403    403    404    401
api:criteria_table                 GET   ok     ok     ok     ok     ok     ok     404    401
api:criteria_table                 POST  ok     403    ok     403    403    403    404    401
api:criterion_add                  GET   405    405    405    405    405    405    405    405
api:criterion_add                  POST  ok     403    ok     403    403    403    404    401
api:criterion_edit                 GET   405    405    405    405    405    405    405    405
api:criterion_edit                 POST  ok     403    ok     403    403    403    404    401
api:criterion_move                 GET   405    405    405    405    405    405    405    405
api:criterion_move                 POST  ok     403    ok     403    403    403    404    401
api:criterion_remove               GET   405    405    405    405    405    405    405    405
api:criterion_remove               POST  ok     403    ok     403    403    403    404    401
api:edit_indicator                 GET   405    405    405    405    405    405    405    405
api:edit_indicator                 POST  405    405    405    405    405    405    405    405
api:eligibility                    GET   ok     ok     ok     ok     ok     ok     404    401
api:eligibility                    POST  405    405    405    405    405    405    405    405
api:evidence_upload                GET   405    405    405    405    405    405    405    405
api:evidence_upload                POST  422    422    422    422    422    422    422    401
api:export                         GET   405    405    405    405    405    405    405    405
api:export                         POST  ok     403    ok     403    403    403    404    401
api:history                        GET   ok     ok     ok     ok     ok     ok     404    401
api:history                        POST  405    405    405    405    405    405    405    405
api:identities                     GET   ok     ok     ok     ok     ok     ok     ok     401
api:identities                     POST  422    422    422    422    422    422    422    401
api:identity_add                   GET   ok     ok     ok     ok     ok     ok     ok     401
api:identity_add                   POST  422    422    422    422    422    422    422    401
api:identity_change                GET   405    405    405    405    405    405    405    405
api:identity_change                POST  ok     403    403    403    403    403    403    401
api:indicator_list                 GET   ok     ok     ok     ok     ok     ok     404    401
api:indicator_list                 POST  ok     403    ok     403    403    403    404    401
api:job_file                       GET   404    404    404    404    404    404    404    401
api:job_file                       POST  405    405    405    405    405    405    405    405
api:job_retry                      GET   405    405    405    405    405    405    405    405
api:job_retry                      POST  404    404    404    404    404    404    404    401
api:mark_all_read                  GET   405    405    405    405    405    405    405    405
api:mark_all_read                  POST  ok     ok     ok     ok     ok     ok     ok     401
api:mark_read                      GET   405    405    405    405    405    405    405    405
api:mark_read                      POST  ok     404    404    404    ok     404    404    401
api:matrix                         GET   ok     ok     ok     ok     ok     ok     404    401
api:matrix                         POST  405    405    405    405    405    405    405    405
api:me                             GET   ok     ok     ok     ok     ok     ok     ok     401
api:me                             POST  405    405    405    405    405    405    405    405
api:move_phase                     GET   405    405    405    405    405    405    405    405
api:move_phase                     POST  ok     403    ok     403    403    403    404    401
api:national                       GET   405    405    405    405    405    405    405    405
api:national                       POST  ok     ok     403    403    403    403    403    401
api:nomination_detail              GET   ok     ok     ok     ok     ok     ok     404    401
api:nomination_detail              POST  405    405    405    405    405    405    405    405
api:nomination_evidence            GET   405    405    405    405    405    405    405    405
api:nomination_evidence            POST  ok     ok     ok     ok     ok     ok     404    401
api:nomination_list                GET   ok     ok     ok     ok     ok     ok     404    401
api:nomination_list                POST  403    403    ok     ok     ok     ok     404    401
api:notifications                  GET   ok     ok     ok     ok     ok     ok     ok     401
api:notifications                  POST  405    405    405    405    405    405    405    405
api:openapi-json                   GET   ok     ok     ok     ok     ok     ok     ok     ok
api:openapi-json                   POST  ok     ok     ok     ok     ok     ok     ok     ok
api:openapi-view                   GET   ok     ok     ok     ok     ok     ok     ok     ok
api:openapi-view                   POST  ok     ok     ok     ok     ok     ok     ok     ok
api:organization                   GET   ok     ok     ok     ok     ok     ok     ok     401
api:organization                   POST  405    405    405    405    405    405    405    405
api:person_history                 GET   ok     ok     403    403    403    403    404    401
api:person_history                 POST  405    405    405    405    405    405    405    405
api:poll_detail                    GET   ok     ok     ok     ok     ok     ok     404    401
api:poll_detail                    POST  405    405    405    405    405    405    405    405
api:poll_list                      GET   ok     ok     ok     ok     ok     ok     404    401
api:poll_list                      POST  ok     403    ok     403    403    403    404    401
api:preferences                    GET   ok     ok     ok     ok     ok     ok     ok     401
api:preferences                    POST  ok     ok     ok     ok     ok     ok     ok     401
api:ranking                        GET   ok     ok     ok     ok     ok     ok     404    401
api:ranking                        POST  405    405    405    405    405    405    405    405
api:read_reply                     GET   405    405    405    405    405    405    405    405
api:read_reply                     POST  ok     403    ok     403    403    403    404    401
api:receive                        GET   ok     ok     403    403    403    403    403    401
api:receive                        POST  ok     ok     403    403    403    403    403    401
api:received                       GET   ok     ok     403    403    403    403    403    401
api:received                       POST  ok     ok     403    403    403    403    403    401
api:received_dossier               GET   ok     ok     404    404    404    404    404    401
api:received_dossier               POST  405    405    405    405    405    405    405    405
api:received_file                  GET   ok     ok     404    404    404    404    404    401
api:received_file                  POST  405    405    405    405    405    405    405    405
api:remind                         GET   405    405    405    405    405    405    405    405
api:remind                         POST  ok     403    ok     403    403    403    404    401
api:reply_package                  GET   ok     ok     404    404    404    404    404    401
api:reply_package                  POST  405    405    405    405    405    405    405    405
api:report_values                  GET   ok     ok     ok     ok     ok     ok     404    401
api:report_values                  POST  405    405    405    405    405    405    405    405
api:results                        GET   ok     ok     ok     ok     ok     ok     404    401
api:results                        POST  405    405    405    405    405    405    405    405
api:results_paragraph              GET   ok     ok     ok     ok     ok     ok     404    401
api:results_paragraph              POST  405    405    405    405    405    405    405    405
api:return_dossier                 GET   405    405    405    405    405    405    405    405
api:return_dossier                 POST  ok     ok     404    404    404    404    404    401
api:rule_new                       GET   405    405    405    405    405    405    405    405
api:rule_new                       POST  ok     ok     403    403    403    403    403    401
api:sent_package                   GET   ok     ok     ok     403    403    403    404    401
api:sent_package                   POST  405    405    405    405    405    405    405    405
api:set_preferences                GET   ok     ok     ok     ok     ok     ok     ok     401
api:set_preferences                POST  ok     ok     ok     ok     ok     ok     ok     401
api:set_results_paragraph          GET   ok     ok     ok     ok     ok     ok     404    401
api:set_results_paragraph          POST  405    405    405    405    405    405    405    405
api:sign_pledge                    GET   405    405    405    405    405    405    405    405
api:sign_pledge                    POST  403    403    403    ok     403    403    404    401
api:sign_proposal                  GET   405    405    405    405    405    405    405    405
api:sign_proposal                  POST  ok     403    403    403    403    403    404    401
api:sign_year_document             GET   ok     ok     ok     403    403    403    404    401
api:sign_year_document             POST  ok     ok     ok     403    403    403    404    401
api:signed_document_file           GET   ok     ok     ok     ok     ok     ok     404    401
api:signed_document_file           POST  405    405    405    405    405    405    405    405
api:sub_unit_new                   GET   405    405    405    405    405    405    405    405
api:sub_unit_new                   POST  ok     ok     403    ok     ok     403    403    401
api:table_create                   GET   ok     ok     ok     ok     ok     ok     404    401
api:table_create                   POST  ok     403    ok     403    403    403    404    401
api:template_reset                 GET   405    405    405    405    405    405    405    405
api:template_reset                 POST  ok     403    ok     403    403    403    404    401
api:template_upload                GET   ok     ok     ok     ok     ok     ok     404    401
api:template_upload                POST  422    422    422    422    422    422    422    401
api:templates                      GET   ok     ok     ok     ok     ok     ok     404    401
api:templates                      POST  422    422    422    422    422    422    422    401
api:unit_history                   GET   ok     ok     403    403    403    403    404    401
api:unit_history                   POST  405    405    405    405    405    405    405    405
api:unit_values                    GET   ok     ok     ok     ok     ok     ok     404    401
api:unit_values                    POST  405    405    405    405    405    405    405    405
api:upload_workbook                GET   405    405    405    405    405    405    405    405
api:upload_workbook                POST  422    422    422    422    422    422    422    401
api:verify                         GET   405    405    405    405    405    405    405    405
api:verify                         POST  ok     ok     ok     ok     ok     ok     ok     401
api:year                           GET   ok     ok     ok     ok     ok     ok     404    401
api:year                           POST  405    405    405    405    405    405    405    405
# Batches, jobs, the event feed and webhooks (issue 20, docs/api-sync.md): a webhook and a job
# answer only their owner; the history batch and import are for who keeps award history.
api:bulk_history                   GET   405    405    405    405    405    405    405    405
api:bulk_history                   POST  ok     ok     403    403    403    403    403    401
api:bulk_members                   GET   405    405    405    405    405    405    405    405
api:bulk_members                   POST  ok     ok     403    ok     ok     403    404    401
api:start_history_import           GET   405    405    405    405    405    405    405    405
api:start_history_import           POST  ok     ok     403    403    403    403    403    401
api:job                            GET   404    404    404    404    404    404    404    401
api:job                            POST  405    405    405    405    405    405    405    405
api:event_feed                     GET   ok     ok     ok     ok     ok     ok     ok     401
api:event_feed                     POST  405    405    405    405    405    405    405    405
api:subscribe                      GET   ok     ok     ok     ok     ok     ok     ok     401
api:subscribe                      POST  ok     ok     ok     ok     ok     ok     ok     401
api:subscriptions                  GET   ok     ok     ok     ok     ok     ok     ok     401
api:subscriptions                  POST  ok     ok     ok     ok     ok     ok     ok     401
api:subscription                   GET   404    404    404    404    ok     404    404    401
api:subscription                   POST  405    405    405    405    405    405    405    405
api:unsubscribe                    GET   404    404    404    404    ok     404    404    401
api:unsubscribe                    POST  405    405    405    405    405    405    405    405
api:deliveries                     GET   404    404    404    404    ok     404    404    401
api:deliveries                     POST  405    405    405    405    405    405    405    405
# The writes the pages do (issue 20), each with a well-formed body (API_BODIES).
api:nomination_new                 GET   ok     ok     ok     ok     ok     ok     404    401
api:nomination_new                 POST  403    403    ok     ok     ok     ok     404    401
api:nomination_update              GET   405    405    405    405    405    405    405    405
api:nomination_update              POST  ok     403    403    ok     ok     403    404    401
api:nomination_submit              GET   405    405    405    405    405    405    405    405
api:nomination_submit              POST  ok     403    403    ok     403    403    404    401
api:nomination_approve             GET   405    405    405    405    405    405    405    405
api:nomination_approve             POST  ok     ok     403    403    403    403    404    401
api:nomination_return              GET   405    405    405    405    405    405    405    405
api:nomination_return              POST  ok     ok     403    403    403    403    404    401
api:compile_proposal               GET   405    405    405    405    405    405    405    405
api:compile_proposal               POST  ok     403    ok     403    403    403    404    401
api:record_decision                GET   405    405    405    405    405    405    405    405
api:record_decision                POST  ok     ok     403    403    403    403    404    401
api:person_new                     GET   405    405    405    405    405    405    405    405
api:person_new                     POST  ok     ok     403    403    403    403    403    401
api:year_documents                 GET   ok     ok     ok     403    403    403    404    401
api:year_documents                 POST  ok     ok     ok     403    403    403    404    401
api:year_dossier                   GET   ok     ok     ok     403    403    403    404    401
api:year_dossier                   POST  405    405    405    405    405    405    405    405
api:year_person_new                GET   405    405    405    405    405    405    405    405
api:year_person_new                POST  403    403    ok     ok     ok     ok     404    401
api:person_position                GET   405    405    405    405    405    405    405    405
api:person_position                POST  ok     ok     403    403    403    403    403    401
api:person_award                   GET   405    405    405    405    405    405    405    405
api:person_award                   POST  ok     ok     403    403    403    403    403    401
api:person_rating                  GET   405    405    405    405    405    405    405    405
api:person_rating                  POST  ok     ok     403    403    403    403    403    401
api:person_initiative              GET   405    405    405    405    405    405    405    405
api:person_initiative              POST  ok     ok     403    403    403    403    403    401
api:unit_award                     GET   405    405    405    405    405    405    405    405
api:unit_award                     POST  ok     ok     403    403    403    403    403    401
api:unit_rating                    GET   405    405    405    405    405    405    405    405
api:unit_rating                    POST  ok     ok     403    403    403    403    403    401
api:merge_people                   GET   405    405    405    405    405    405    405    405
api:merge_people                   POST  ok     ok     403    403    403    403    403    401
api:open_year                      GET   405    405    405    405    405    405    405    405
api:open_year                      POST  ok     ok     ok     403    403    403    404    401
api:set_movement                   GET   405    405    405    405    405    405    405    405
api:set_movement                   POST  ok     403    ok     403    403    403    404    401
api:set_pledge                     GET   405    405    405    405    405    405    405    405
api:set_pledge                     POST  ok     403    ok     403    403    403    404    401
api:set_deadline                   GET   405    405    405    405    405    405    405    405
api:set_deadline                   POST  ok     403    ok     403    403    403    404    401
api:conference                     GET   ok     ok     ok     ok     ok     ok     404    401
api:conference                     POST  ok     403    ok     403    403    403    404    401
api:set_conference                 GET   ok     ok     ok     ok     ok     ok     404    401
api:set_conference                 POST  ok     403    ok     403    403    403    404    401
api:attendee_add                   GET   405    405    405    405    405    405    405    405
api:attendee_add                   POST  ok     403    ok     403    403    403    404    401
api:attendee_remove                GET   405    405    405    405    405    405    405    405
api:attendee_remove                POST  405    405    405    405    405    405    405    405
api:report                         GET   ok     ok     ok     ok     ok     ok     404    401
api:report                         POST  405    405    405    405    405    405    405    405
api:comment                        GET   405    405    405    405    405    405    405    405
api:comment                        POST  ok     403    ok     ok     ok     ok     404    401
api:generate                       GET   405    405    405    405    405    405    405    405
api:generate                       POST  ok     403    ok     403    403    403    404    401
api:revise                         GET   405    405    405    405    405    405    405    405
api:revise                         POST  ok     403    ok     403    403    403    404    401
api:finalise                       GET   405    405    405    405    405    405    405    405
api:finalise                       POST  ok     403    ok     403    403    403    404    401
api:save_scores                    GET   405    405    405    405    405    405    405    405
api:save_scores                    POST  ok     403    403    ok     ok     403    404    401
api:submit_scores                  GET   405    405    405    405    405    405    405    405
api:submit_scores                  POST  ok     403    403    ok     ok     403    404    401
api:save_review                    GET   405    405    405    405    405    405    405    405
api:save_review                    POST  403    403    403    403    403    403    404    401
api:raise_dispute                  GET   405    405    405    405    405    405    405    405
api:raise_dispute                  POST  ok     403    403    ok     ok     403    404    401
api:settle_dispute                 GET   405    405    405    405    405    405    405    405
api:settle_dispute                 POST  ok     403    ok     403    403    403    404    401
api:assign_reviewers               GET   405    405    405    405    405    405    405    405
api:assign_reviewers               POST  ok     403    ok     403    403    403    404    401
api:poll_create                    GET   ok     ok     ok     ok     ok     ok     404    401
api:poll_create                    POST  ok     403    ok     403    403    403    404    401
api:poll_update                    GET   405    405    405    405    405    405    405    405
api:poll_update                    POST  ok     403    ok     403    403    403    404    401
api:poll_open                      GET   405    405    405    405    405    405    405    405
api:poll_open                      POST  ok     403    ok     403    403    403    404    401
api:poll_close                     GET   405    405    405    405    405    405    405    405
api:poll_close                     POST  ok     403    ok     403    403    403    404    401
api:poll_runoff                    GET   405    405    405    405    405    405    405    405
api:poll_runoff                    POST  ok     403    ok     403    403    403    404    401
api:paper_count                    GET   405    405    405    405    405    405    405    405
api:paper_count                    POST  ok     403    ok     403    403    403    404    401
api:paper_count_confirm            GET   405    405    405    405    405    405    405    405
api:paper_count_confirm            POST  ok     403    ok     403    403    403    404    401
api_token_revoke                   GET   405    405    405    405    405    405    405    login
api_token_revoke                   POST  404    404    404    404    ok     404    404    login
api_tokens                         GET   ok     ok     ok     ok     ok     ok     ok     login
api_tokens                         POST  ok     ok     ok     ok     ok     ok     ok     login
awards:achievement_report          GET   ok     ok     ok     ok     ok     403    404    login
awards:achievement_report          POST  ok     ok     ok     ok     ok     403    404    login
awards:catalogue                   GET   ok     ok     ok     ok     ok     ok     ok     login
awards:catalogue                   POST  ok     ok     ok     ok     ok     ok     ok     login
awards:compile                     GET   405    405    405    405    405    405    405    login
awards:compile                     POST  ok     403    ok     403    403    403    404    login
awards:decision                    GET   ok     ok     403    403    403    403    404    login
awards:decision                    POST  ok     ok     403    403    403    403    404    login
awards:decision_document           GET   ok     ok     403    403    403    403    404    login
awards:decision_document           POST  ok     ok     403    403    403    403    404    login
awards:decision_pdf                GET   ok     ok     403    403    403    403    404    login
awards:decision_pdf                POST  ok     ok     403    403    403    403    404    login
awards:certificates                GET   ok     ok     403    403    403    403    404    login
awards:certificates                POST  ok     ok     403    403    403    403    404    login
awards:certificates_document       GET   ok     ok     403    403    403    403    404    login
awards:certificates_document       POST  ok     ok     403    403    403    403    404    login
awards:certificates_job            GET   405    405    405    405    405    405    405    login
awards:certificates_job            POST  ok     ok     403    403    403    403    404    login
awards:duplicates                  GET   ok     ok     403    403    403    403    403    login
awards:duplicates                  POST  ok     ok     403    403    403    403    403    login
awards:evidence                    GET   ok     ok     ok     ok     ok     403    404    login
awards:evidence                    POST  ok     ok     ok     ok     ok     403    404    login
awards:history_import              GET   ok     ok     403    403    403    403    403    login
awards:history_import              POST  ok     ok     403    403    403    403    403    login
awards:history_template            GET   ok     ok     403    403    403    403    403    login
awards:history_template            POST  ok     ok     403    403    403    403    403    login
awards:initiatives_import          GET   ok     ok     403    403    403    403    403    login
awards:initiatives_import          POST  ok     ok     403    403    403    403    403    login
awards:initiatives_template        GET   ok     ok     403    403    403    403    403    login
awards:initiatives_template        POST  ok     ok     403    403    403    403    403    login
# A job's pages answer only the user who started it: an unknown (or someone else's) job is 404.
awards:jobs:detail                 GET   404    404    404    404    404    404    404    login
awards:jobs:detail                 POST  404    404    404    404    404    404    404    login
awards:jobs:output                 GET   404    404    404    404    404    404    404    login
awards:jobs:output                 POST  404    404    404    404    404    404    404    login
awards:jobs:progress               GET   404    404    404    404    404    404    404    login
awards:jobs:progress               POST  404    404    404    404    404    404    404    login
awards:jobs:retry                  GET   405    405    405    405    405    405    405    login
awards:jobs:retry                  POST  404    404    404    404    404    404    404    login
awards:members_import              GET   ok     ok     403    ok     ok     403    403    login
awards:members_import              POST  ok     ok     403    ok     ok     403    403    login
awards:members_template            GET   ok     ok     403    ok     ok     403    403    login
awards:members_template            POST  ok     ok     403    ok     ok     403    403    login
awards:national                    GET   ok     ok     403    403    403    403    403    login
awards:national                    POST  ok     ok     403    403    403    403    403    login
awards:nomination                  GET   ok     ok     ok     ok     ok     ok     404    login
awards:nomination                  POST  ok     ok     ok     ok     ok     ok     404    login
awards:nomination_approve          GET   405    405    405    405    405    405    405    login
awards:nomination_approve          POST  ok     ok     403    403    403    403    404    login
awards:nomination_evidence         GET   405    405    405    405    405    405    405    login
awards:nomination_evidence         POST  ok     ok     ok     ok     ok     ok     404    login
awards:nomination_new              GET   403    403    ok     ok     ok     ok     404    login
awards:nomination_new              POST  403    403    ok     ok     ok     ok     404    login
awards:nomination_return           GET   405    405    405    405    405    405    405    login
awards:nomination_return           POST  ok     ok     ok     ok     ok     ok     404    login
awards:nomination_submit           GET   405    405    405    405    405    405    405    login
awards:nomination_submit           POST  ok     403    403    ok     403    403    404    login
awards:nomination_update           GET   405    405    405    405    405    405    405    login
awards:nomination_update           POST  ok     ok     ok     ok     ok     ok     404    login
awards:nominations                 GET   ok     ok     ok     ok     ok     ok     404    login
awards:nominations                 POST  ok     ok     ok     ok     ok     ok     404    login
awards:people                      GET   ok     ok     403    403    403    403    403    login
awards:people                      POST  ok     ok     403    403    403    403    403    login
awards:person                      GET   ok     ok     403    403    403    403    403    login
awards:person                      POST  404    404    403    403    403    403    403    login
awards:person_add                  GET   ok     ok     403    403    403    403    403    login
awards:person_add                  POST  ok     ok     403    403    403    403    403    login
awards:person_new                  GET   ok     ok     403    403    403    403    403    login
awards:person_new                  POST  ok     ok     403    403    403    403    403    login
awards:proposal_list               GET   ok     ok     ok     ok     ok     ok     404    login
awards:proposal_list               POST  ok     ok     ok     ok     ok     ok     404    login
awards:ratings_import              GET   ok     ok     403    403    403    403    403    login
awards:ratings_import              POST  ok     ok     403    403    403    403    403    login
awards:ratings_template            GET   ok     ok     403    403    403    403    403    login
awards:ratings_template            POST  ok     ok     403    403    403    403    403    login
awards:rule_new                    GET   ok     ok     403    403    403    403    403    login
awards:rule_new                    POST  ok     ok     403    403    403    403    403    login
awards:unit_add                    GET   ok     ok     403    403    403    403    403    login
awards:unit_add                    POST  ok     ok     403    403    403    403    403    login
awards:unit_history                GET   ok     ok     403    403    403    403    403    login
awards:unit_history                POST  404    404    403    403    403    403    403    login
awards:year_person_new             GET   403    403    ok     ok     ok     ok     404    login
awards:year_person_new             POST  403    403    ok     ok     ok     ok     404    login
cluster_detail                     GET   ok     ok     ok     ok     ok     ok     404    login
cluster_detail                     POST  ok     ok     ok     403    403    403    404    login
conference:article_draft           GET   405    405    405    405    405    405    405    login
conference:article_draft           POST  ok     403    ok     403    403    403    404    login
conference:article_edit            GET   ok     403    ok     403    403    403    404    login
conference:article_edit            POST  ok     403    ok     403    403    403    404    login
conference:article_new             GET   ok     403    ok     403    403    403    404    login
conference:article_new             POST  ok     403    ok     403    403    403    404    login
conference:article_publish         GET   405    405    405    405    405    405    405    login
conference:article_publish         POST  ok     403    ok     403    403    403    404    login
conference:attendee_add            GET   405    405    405    405    405    405    405    login
conference:attendee_add            POST  ok     403    ok     403    403    403    404    login
conference:attendee_remove         GET   405    405    405    405    405    405    405    login
conference:attendee_remove         POST  ok     403    ok     403    403    403    404    login
conference:compare                 GET   ok     ok     ok     ok     ok     ok     404    login
conference:compare                 POST  ok     ok     ok     ok     ok     ok     404    login
conference:detail                  GET   ok     ok     ok     ok     ok     ok     404    login
conference:detail                  POST  ok     403    ok     403    403    403    404    login
conference:documents               GET   ok     ok     ok     ok     ok     ok     404    login
conference:documents               POST  ok     ok     ok     403    403    403    404    login
conference:download                GET   ok     ok     ok     ok     ok     ok     404    login
conference:download                POST  ok     ok     ok     ok     ok     ok     404    login
conference:download_pdf            GET   ok     ok     ok     ok     ok     ok     404    login
conference:download_pdf            POST  ok     ok     ok     ok     ok     ok     404    login
conference:news                    GET   ok     403    ok     403    403    403    404    login
conference:news                    POST  ok     403    ok     403    403    403    404    login
conference:report                  GET   ok     ok     ok     ok     ok     ok     404    login
conference:report                  POST  ok     403    ok     ok     ok     ok     404    login
conference:report_finalise         GET   405    405    405    405    405    405    405    login
conference:report_finalise         POST  ok     403    ok     403    403    403    404    login
conference:report_generate         GET   405    405    405    405    405    405    405    login
conference:report_generate         POST  ok     403    ok     403    403    403    404    login
conference:report_revise           GET   ok     403    ok     403    403    403    404    login
conference:report_revise           POST  ok     403    ok     403    403    403    404    login
conference:starter                 GET   ok     ok     ok     ok     ok     ok     404    login
conference:starter                 POST  ok     ok     ok     ok     ok     ok     404    login
conference:template_reset          GET   405    405    405    405    405    405    405    login
conference:template_reset          POST  ok     403    ok     403    403    403    404    login
dossier:export                     GET   405    405    405    405    405    405    405    login
dossier:export                     POST  ok     403    ok     403    403    403    404    login
dossier:received                   GET   ok     ok     403    403    403    403    403    login
dossier:received                   POST  ok     ok     403    403    403    403    403    login
dossier:received_detail            GET   ok     ok     404    404    404    404    404    login
dossier:received_detail            POST  ok     ok     404    404    404    404    404    login
dossier:received_file              GET   ok     ok     404    404    404    404    404    login
dossier:received_file              POST  ok     ok     404    404    404    404    404    login
dossier:reply                      GET   405    405    405    405    405    405    405    login
dossier:reply                      POST  ok     403    ok     403    403    403    404    login
dossier:reply_package              GET   ok     ok     404    404    404    404    404    login
dossier:reply_package              POST  ok     ok     404    404    404    404    404    login
dossier:return                     GET   405    405    405    405    405    405    405    login
dossier:return                     POST  ok     ok     404    404    404    404    404    login
dossier:sent_package               GET   ok     ok     ok     403    403    403    404    login
dossier:sent_package               POST  ok     ok     ok     403    403    403    404    login
dossier:sign                       GET   405    405    405    405    405    405    405    login
dossier:sign                       POST  ok     403    403    403    403    403    404    login
dossier:year                       GET   ok     ok     ok     403    403    403    404    login
dossier:year                       POST  ok     ok     ok     403    403    403    404    login
healthz                            GET   ok     ok     ok     ok     ok     ok     ok     ok
healthz                            POST  405    405    405    405    405    405    405    405
home                               GET   ok     ok     ok     ok     ok     ok     ok     ok
home                               POST  ok     ok     ok     ok     ok     ok     ok     ok
indicators:add                     GET   ok     403    ok     403    403    403    404    login
indicators:add                     POST  ok     403    ok     403    403    403    404    login
indicators:copy                    GET   405    405    405    405    405    405    405    login
indicators:copy                    POST  ok     403    ok     403    403    403    404    login
indicators:edit                    GET   ok     403    ok     403    403    403    404    login
indicators:edit                    POST  ok     403    ok     403    403    403    404    login
indicators:index                   GET   ok     ok     ok     ok     ok     ok     404    login
indicators:index                   POST  ok     ok     ok     ok     ok     ok     404    login
indicators:matrix                  GET   ok     ok     ok     ok     ok     ok     404    login
indicators:matrix                  POST  ok     ok     ok     ok     ok     ok     404    login
indicators:matrix_export           GET   ok     ok     ok     ok     ok     ok     404    login
indicators:matrix_export           POST  ok     ok     ok     ok     ok     ok     404    login
indicators:remind                  GET   405    405    405    405    405    405    405    login
indicators:remind                  POST  ok     403    ok     403    403    403    404    login
indicators:results                 GET   ok     ok     ok     ok     ok     ok     404    login
indicators:results                 POST  ok     403    ok     403    403    403    404    login
indicators:unit                    GET   ok     ok     ok     ok     ok     ok     404    login
indicators:unit                    POST  ok     403    403    ok     ok     403    404    login
indicators:upload                  GET   405    405    405    405    405    405    405    login
indicators:upload                  POST  ok     403    403    ok     ok     403    404    login
indicators:workbook                GET   ok     403    403    ok     ok     403    404    login
indicators:workbook                POST  ok     403    403    ok     ok     403    404    login
login                              GET   ok     ok     ok     ok     ok     ok     ok     ok
login                              POST  ok     ok     ok     ok     ok     ok     ok     ok
logout                             GET   405    405    405    405    405    405    405    405
logout                             POST  ok     ok     ok     ok     ok     ok     ok     ok
move_phase                         GET   405    405    405    405    405    405    405    login
move_phase                         POST  ok     403    ok     403    403    403    404    login
movement_edit                      GET   ok     403    ok     403    403    403    404    login
movement_edit                      POST  ok     403    ok     403    403    403    404    login
news:article                       GET   ok     ok     ok     ok     ok     ok     ok     ok
news:article                       POST  ok     ok     ok     ok     ok     ok     ok     ok
news:list                          GET   ok     ok     ok     ok     ok     ok     ok     ok
news:list                          POST  ok     ok     ok     ok     ok     ok     ok     ok
notifications:list                 GET   ok     ok     ok     ok     ok     ok     ok     login
notifications:list                 POST  405    405    405    405    405    405    405    login
notifications:preferences          GET   ok     ok     ok     ok     ok     ok     ok     login
notifications:preferences          POST  ok     ok     ok     ok     ok     ok     ok     login
notifications:read                 GET   405    405    405    405    405    405    405    login
notifications:read                 POST  ok     ok     ok     ok     ok     ok     ok     login
notifications:read_all             GET   405    405    405    405    405    405    405    login
notifications:read_all             POST  ok     ok     ok     ok     ok     ok     ok     login
organization_detail                GET   ok     ok     ok     ok     ok     ok     ok     login
organization_detail                POST  ok     ok     ok     ok     ok     ok     ok     login
pledge                             GET   ok     ok     ok     ok     ok     ok     404    login
pledge                             POST  403    403    403    ok     403    403    404    login
pledge_edit                        GET   ok     403    ok     403    403    403    404    login
pledge_edit                        POST  ok     403    ok     403    403    403    404    login
scoring:assessment                 GET   ok     ok     ok     ok     ok     ok     404    login
scoring:assessment                 POST  ok     403    403    ok     ok     403    404    login
scoring:bands_set                  GET   405    405    405    405    405    405    405    login
scoring:bands_set                  POST  ok     403    ok     403    403    403    404    login
scoring:criterion_add              GET   405    405    405    405    405    405    405    login
scoring:criterion_add              POST  ok     403    ok     403    403    403    404    login
scoring:criterion_edit             GET   ok     403    ok     403    403    403    404    login
scoring:criterion_edit             POST  ok     403    ok     403    403    403    404    login
scoring:criterion_move             GET   405    405    405    405    405    405    405    login
scoring:criterion_move             POST  ok     403    ok     403    403    403    404    login
scoring:criterion_remove           GET   405    405    405    405    405    405    405    login
scoring:criterion_remove           POST  ok     403    ok     403    403    403    404    login
scoring:cross_check                GET   ok     ok     ok     ok     ok     ok     404    login
scoring:cross_check                POST  ok     403    ok     403    403    403    404    login
scoring:dispute_raise              GET   405    405    405    405    405    405    405    login
scoring:dispute_raise              POST  ok     403    403    ok     ok     403    404    login
scoring:dispute_settle             GET   405    405    405    405    405    405    405    login
scoring:dispute_settle             POST  ok     403    ok     403    403    403    404    login
scoring:evidence                   GET   ok     ok     ok     ok     ok     ok     404    login
scoring:evidence                   POST  ok     ok     ok     ok     ok     ok     404    login
scoring:evidence_upload            GET   405    405    405    405    405    405    405    login
scoring:evidence_upload            POST  ok     403    403    ok     ok     403    404    login
scoring:ranking                    GET   ok     ok     ok     ok     ok     ok     404    login
scoring:ranking                    POST  ok     ok     ok     ok     ok     ok     404    login
scoring:ranking_export             GET   ok     ok     ok     ok     ok     ok     404    login
scoring:ranking_export             POST  ok     ok     ok     ok     ok     ok     404    login
scoring:review                     GET   403    403    403    403    403    403    404    login
scoring:review                     POST  403    403    403    403    403    403    404    login
scoring:submit                     GET   405    405    405    405    405    405    405    login
scoring:submit                     POST  ok     403    403    ok     ok     403    404    login
scoring:table                      GET   ok     ok     ok     ok     ok     ok     404    login
scoring:table                      POST  ok     ok     ok     ok     ok     ok     404    login
scoring:table_create               GET   405    405    405    405    405    405    405    login
scoring:table_create               POST  ok     403    ok     403    403    403    404    login
set_deadline                       GET   405    405    405    405    405    405    405    login
set_deadline                       POST  ok     403    ok     403    403    403    404    login
set_language                       GET   ok     ok     ok     ok     ok     ok     ok     ok
set_language                       POST  ok     ok     ok     ok     ok     ok     ok     ok
signing:download                   GET   ok     ok     ok     ok     ok     ok     404    login
signing:download                   POST  405    405    405    405    405    405    405    login
signing:identities                 GET   ok     403    403    403    403    403    403    login
signing:identities                 POST  ok     403    403    403    403    403    403    login
signing:identity_change            GET   405    405    405    405    405    405    405    login
signing:identity_change            POST  ok     403    403    403    403    403    403    login
signing:verify                     GET   ok     ok     ok     ok     ok     ok     ok     login
signing:verify                     POST  ok     ok     ok     ok     ok     ok     ok     login
signing:year                       GET   ok     ok     ok     403    403    403    404    login
signing:year                       POST  ok     ok     ok     403    403    403    404    login
sub_unit_new                       GET   ok     ok     403    ok     ok     403    403    login
sub_unit_new                       POST  ok     ok     403    ok     ok     403    403    login
voting:box                         GET   ok     ok     ok     ok     ok     ok     404    login
voting:box                         POST  ok     ok     ok     ok     ok     ok     404    login
voting:close                       GET   405    405    405    405    405    405    405    login
voting:close                       POST  ok     403    ok     403    403    403    404    login
voting:confirm_count               GET   405    405    405    405    405    405    405    login
voting:confirm_count               POST  ok     403    ok     403    403    403    404    login
voting:minutes                     GET   ok     ok     ok     ok     ok     ok     404    login
voting:minutes                     POST  ok     ok     ok     ok     ok     ok     404    login
voting:open                        GET   405    405    405    405    405    405    405    login
voting:open                        POST  ok     403    ok     403    403    403    404    login
voting:paper_count                 GET   ok     403    ok     403    403    403    404    login
voting:paper_count                 POST  ok     403    ok     403    403    403    404    login
voting:papers                      GET   404    403    404    403    403    403    404    login
voting:papers                      POST  404    403    404    403    403    403    404    login
voting:poll                        GET   ok     ok     ok     ok     ok     ok     404    login
voting:poll                        POST  ok     ok     ok     ok     ok     ok     404    login
voting:poll_create                 GET   ok     403    ok     403    403    403    404    login
voting:poll_create                 POST  ok     403    ok     403    403    403    404    login
voting:poll_edit                   GET   ok     403    ok     403    403    403    404    login
voting:poll_edit                   POST  ok     403    ok     403    403    403    404    login
voting:polls                       GET   ok     ok     ok     ok     ok     ok     404    login
voting:polls                       POST  ok     ok     ok     ok     ok     ok     404    login
voting:results                     GET   ok     ok     ok     ok     ok     ok     404    login
voting:results                     POST  ok     ok     ok     ok     ok     ok     404    login
voting:results_export              GET   ok     ok     ok     ok     ok     ok     404    login
voting:results_export              POST  ok     ok     ok     ok     ok     ok     404    login
voting:runoff                      GET   405    405    405    405    405    405    405    login
voting:runoff                      POST  ok     403    ok     403    403    403    404    login
voting:vote                        GET   405    405    405    405    405    405    405    login
voting:vote                        POST  403    403    403    ok     403    403    404    login
year_dashboard                     GET   ok     ok     ok     ok     ok     ok     404    login
year_dashboard                     POST  ok     ok     ok     ok     ok     ok     404    login
year_history                       GET   ok     ok     ok     ok     ok     ok     404    login
year_history                       POST  ok     ok     ok     ok     ok     ok     404    login
"""

# An API write gets a well-formed body, so that its answer is about permission, not syntax.
API_BODIES = {
    "api:bulk_history": {"people": [{"full_name": "Người mới", "unit_id": 1}]},
    "api:bulk_members": {"members": [{"full_name": "Người mới"}]},
    "api:subscribe": {"url": "https://example.org/hook", "kinds": ["phase.opened"]},
    "api:subscriptions": {"url": "https://example.org/hook", "kinds": ["phase.opened"]},
    "api:move_phase": {"target": "closed"},
    "api:nomination_new": {"award": "ldtt", "summary": "Tóm tắt."},
    "api:nomination_update": {"summary": "Tóm tắt."},
    "api:nomination_return": {"reason": "Thiếu hồ sơ."},
    "api:record_decision": {
        "authority": "minister",
        "date": "2017-03-01",
        "issuer_name": "Bộ",
        "signer_name": "Ký",
    },
    "api:person_new": {"full_name": "Người mới", "unit": 1},
    "api:year_person_new": {"full_name": "Người mới", "unit": 1},
    "api:person_position": {"unit": 1},
    "api:person_award": {
        "award": "ldtt",
        "year": 2015,
        "decision_number": "1",
        "decision_date": "2016-01-01",
        "issuer_name": "UBND",
    },
    "api:unit_award": {
        "award": "tt_ldtt",
        "year": 2015,
        "decision_number": "1",
        "decision_date": "2016-01-01",
        "issuer_name": "UBND",
    },
    "api:person_rating": {"year": 2015, "rating": "htnv"},
    "api:unit_rating": {"year": 2015, "rating": "htnv"},
    "api:person_initiative": {"title": "Sáng kiến", "level": "grassroots", "year": 2015},
    "api:merge_people": {"keep": 1, "duplicate": 2},
    "api:open_year": {"year": 2017, "members": [1], "head": 1, "deputy": 1},
    "api:set_movement": {"title": "Phong trào", "launched_on": "2016-01-01", "goals": "Mục tiêu."},
    "api:set_pledge": {"title": "Giao ước", "articles": ["Điều một."]},
    "api:set_deadline": {"phase": "closed"},
    "api:set_conference": {
        "starts_on": "2016-12-01",
        "ends_on": "2016-12-02",
        "host": 1,
        "venue": "Hội trường",
    },
    "api:attendee_add": {"name": "Người dự", "position": "Chuyên viên", "unit": "Sở"},
    "api:comment": {"section": "intro", "kind": "comment", "text": "Góp ý."},
    "api:revise": {"based_on": 1, "note": "Sửa.", "sections": {}},
    "api:save_scores": {"scores": {}},
    "api:save_review": {"reviews": {}},
    "api:raise_dispute": {"criterion": "I.1", "reason": "Lý do."},
    "api:settle_dispute": {"criterion": "I.2", "points": 1, "reason": "Lý do."},
    "api:assign_reviewers": {"reviewers": {}},
    "api:poll_create": {
        "title": "Bầu",
        "purpose": "flag",
        "method": "online",
        "threshold_base": "cast",
        "tie_rule": "runoff",
        "disclosure": "full",
    },
    "api:poll_update": {
        "title": "Bầu",
        "purpose": "flag",
        "method": "online",
        "threshold_base": "cast",
        "tie_rule": "runoff",
        "disclosure": "full",
    },
    "api:paper_count": {"ballots_cast": 0},
    # Bodies the schema takes, so that the permission decides, not the schema.
    "api:rule_new": {
        "effective_from": "2017-01-01",
        "status": "verified",
        "legal_source": "Nghị định 91/2017/NĐ-CP",
        "requirements": [],
    },
    "api:article_new": {"title": "Tin bài", "body": "Nội dung."},
    "api:article_edit": {"title": "Tin bài", "body": "Nội dung."},
    "api:article_publish": {},
    "api:export": {"identity": 1},
    "api:sign_proposal": {"identity": 1},
    "api:add_indicator": {"code": "CT9", "name": "Chỉ tiêu", "method": "sum"},
    "api:remind": {},
    "api:table_create": {"title": "Bảng tiêu chí"},
    "api:bands_set": {"xuat_sac": 90, "tot": 70, "hoan_thanh": 50},
    "api:criterion_add": {"number": "IX", "title": "Tiêu chí", "kind": "section"},
    "api:criterion_edit": {
        "criterion": "I.1",
        "number": "I.1",
        "title": "Tiêu chí",
        "kind": "item",
    },
    "api:criterion_move": {"criterion": "I.1", "direction": "up"},
    "api:criterion_remove": {"criterion": "I.1"},
    "api:sign_year_document": {"kind": "report", "identity": 1},
    "api:return_dossier": {"identity": 1, "reason": "Thiếu hồ sơ."},
    "api:national": {"year": 2016},
    "api:set_preferences": {"email": []},
    "api:sub_unit_new": {"name": "Phòng mới"},
    "api:identity_change": {"what": "withdraw"},
}
# The same address answers a list (GET) and a create (POST).
API_BODIES["api:nomination_list"] = API_BODIES["api:nomination_new"]
API_BODIES["api:articles"] = API_BODIES["api:article_new"]
API_BODIES["api:indicator_list"] = API_BODIES["api:add_indicator"]
API_BODIES["api:criteria_table"] = API_BODIES["api:table_create"]
API_BODIES["api:year_documents"] = API_BODIES["api:sign_year_document"]
API_BODIES["api:preferences"] = API_BODIES["api:set_preferences"]
API_BODIES["api:poll_list"] = API_BODIES["api:poll_create"]
API_BODIES["api:conference"] = API_BODIES["api:set_conference"]

# Django's admin is guarded by its own staff check and tested as a whole by its index.
SKIPPED_NAMESPACES = {"admin"}


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner in SKIPPED_NAMESPACES:
                continue
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


NO_JOB = uuid.UUID(int=1)  # no job has this key


def url_names() -> list[str]:
    return sorted(set(walk(get_resolver().url_patterns)) | {"admin:index"})


def expected_table() -> dict[tuple[str, str], dict[str, str]]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        if line.startswith("#"):
            continue
        name, method, *answers = line.split()
        assert len(answers) == len(PERSONAS), line
        table[(name, method)] = dict(zip(PERSONAS, answers, strict=True))
    return table


class World:
    """The demo, with the objects each URL points at."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.year = demo.year
        self.slug = demo.cluster.slug
        self.unit = demo.departments["lai-chau"]
        self.users: dict[str, User | None] = {
            "admin": demo.admin,
            "supervisor": demo.supervisor,
            "secretariat": demo.secretariat,
            "leader": demo.leaders["lai-chau"],
            "officer": demo.officers["lai-chau"],
            "other_unit": demo.officers["dien-bien"],
            "outsider": User.objects.get(username="yen-bai-canbo"),
            "anonymous": None,
        }
        self.tokens = {
            name: do_create_token(name="ma trận quyền", acting_user=user)[1]
            for name, user in self.users.items()
            if user is not None
        }
        self.own_token = (
            self.users["officer"].api_tokens.get()  # type: ignore[union-attr]
        )

    def first(self, queryset: Any) -> int:
        found = queryset.order_by("pk").values_list("pk", flat=True).first()
        assert found is not None, f"the demo has no {queryset.model.__name__}"
        return int(found)

    def kwargs(self, name: str) -> dict[str, Any]:
        year = {"slug": self.slug, "year": self.year.year}
        unit_scores = Score.objects.filter(assessment__membership__organization=self.unit)
        by_name: dict[str, Callable[[], dict[str, Any]]] = {
            "indicators:edit": lambda: {
                **year,
                "code": Indicator.objects.filter(year=self.year).order_by("pk").first().code,  # type: ignore[union-attr]
            },
            "indicators:unit": lambda: {**year, "org_id": self.unit.pk},
            "indicators:workbook": lambda: {**year, "org_id": self.unit.pk},
            "indicators:upload": lambda: {**year, "org_id": self.unit.pk},
            "scoring:criterion_edit": lambda: {**year, "pk": self.criterion()},
            "scoring:criterion_remove": lambda: {**year, "pk": self.criterion()},
            "scoring:criterion_move": lambda: {**year, "pk": self.criterion()},
            "scoring:evidence": lambda: {
                **year,
                "pk": self.first(
                    Evidence.objects.filter(score__assessment__membership__year=self.year)
                ),
            },
            "scoring:dispute_settle": lambda: {
                **year,
                "pk": self.first(
                    Dispute.objects.filter(score__assessment__membership__year=self.year)
                ),
            },
            "scoring:dispute_raise": lambda: {
                **year,
                "organization_id": self.unit.pk,
                "score_id": self.first(unit_scores),
            },
            "api:attendee_remove": lambda: {
                **year,
                "attendee_id": self.first(Attendee.objects.filter(conference__year=self.year)),
            },
            "conference:attendee_remove": lambda: {
                **year,
                "pk": self.first(Attendee.objects.filter(conference__year=self.year)),
            },
            "conference:article_edit": lambda: {**year, "pk": self.article()},
            "conference:article_publish": lambda: {**year, "pk": self.article()},
            "conference:download": lambda: {**year, "kind": "report"},
            "conference:download_pdf": lambda: {**year, "kind": "report"},
            "conference:template_reset": lambda: {**year, "kind": "report"},
            "news:list": lambda: {"cluster": self.slug},
            "news:article": lambda: {"cluster": self.slug, "pk": self.published_article()},
            "awards:rule_new": lambda: {"code": AwardType.objects.order_by("rank").first().code},  # type: ignore[union-attr]
            "awards:nomination": lambda: {**year, "pk": self.nomination()},
            "awards:decision_document": lambda: {**year, "pk": self.decision()},
            "awards:decision_pdf": lambda: {**year, "pk": self.decision()},
            "awards:certificates": lambda: {**year, "pk": self.decision()},
            "awards:certificates_document": lambda: {**year, "pk": self.decision()},
            "awards:certificates_job": lambda: {**year, "pk": self.decision()},
            "awards:jobs:detail": lambda: {"pk": NO_JOB},
            "awards:jobs:output": lambda: {"pk": NO_JOB},
            "awards:jobs:progress": lambda: {"pk": NO_JOB},
            "awards:jobs:retry": lambda: {"pk": NO_JOB},
            "organization_detail": lambda: {"pk": self.unit.pk},
            "sub_unit_new": lambda: {"pk": self.unit.pk},
            "cluster_detail": lambda: {"slug": self.slug},
            "api_token_revoke": lambda: {"pk": self.own_token.pk},
            "api:job": lambda: {"job_id": str(uuid.uuid4())},
            "api:subscription": lambda: {"subscription_id": self.webhook()},
            "api:unsubscribe": lambda: {"subscription_id": self.webhook()},
            "api:deliveries": lambda: {"subscription_id": self.webhook()},
            "api:organization": lambda: {"org_id": self.unit.pk},
            "api:cluster": lambda: {"slug": self.slug},
            "dossier:sent_package": lambda: {**year, "pk": self.sent_dossier()},
            "dossier:received_detail": lambda: {"pk": self.received_dossier().pk},
            "dossier:return": lambda: {"pk": self.received_dossier().pk},
            "dossier:reply_package": lambda: {"pk": self.received_dossier().pk},
            "dossier:received_file": lambda: {
                "pk": self.received_dossier().pk,
                "file_pk": self.received_dossier().files.get().pk,
            },
            "signing:identity_change": lambda: {"pk": self.signed_document().identity_id},
            "signing:download": lambda: {"pk": self.signed_document().pk},
            "api:article": lambda: {**year, "article_id": self.article()},
            "api:article_edit": lambda: {**year, "article_id": self.article()},
            "api:article_publish": lambda: {**year, "article_id": self.article()},
            "api:certificates_job": lambda: {**year, "decision_id": self.decision()},
            "api:edit_indicator": lambda: {
                **year,
                "code": Indicator.objects.filter(year=self.year).order_by("pk").first().code,  # type: ignore[union-attr]
            },
            "api:template_reset": lambda: {**year, "kind": "report"},
            "api:rule_new": lambda: {"code": AwardType.objects.order_by("rank").first().code},  # type: ignore[union-attr]
            "api:job_file": lambda: {"job_id": NO_JOB},
            "api:job_retry": lambda: {"job_id": NO_JOB},
            "api:mark_read": lambda: {"notification_id": self.notification()},
            "api:identity_change": lambda: {"identity_id": self.signed_document().identity_id},
            "api:signed_document_file": lambda: {"document_id": self.signed_document().pk},
            "api:sent_package": lambda: {**year, "sent_id": self.sent_dossier()},
            "api:received_dossier": lambda: {"dossier_id": self.received_dossier().pk},
            "api:return_dossier": lambda: {"dossier_id": self.received_dossier().pk},
            "api:reply_package": lambda: {"dossier_id": self.received_dossier().pk},
            "api:received_file": lambda: {
                "dossier_id": self.received_dossier().pk,
                "file_id": self.received_dossier().files.get().pk,
            },
        }
        if name in by_name:
            return by_name[name]()
        pattern = _pattern_of(name)
        found: dict[str, Any] = {}
        for part in re.findall(r"<(?:\w+:)?(\w+)>", pattern):
            if part in year:
                found[part] = year[part]
            elif part == "pk" and "nominations/<int:pk>" in pattern:
                found[part] = self.nomination()
            elif part == "pk" and "people/<int:pk>" in pattern:
                found[part] = self.person()
            elif part == "pk" and "units/<int:pk>" in pattern:
                found[part] = self.unit.pk
            elif part == "file_pk":
                found[part] = self.first(EvidenceFile.objects.filter(nomination=self.nomination()))
            elif part == "what":
                found[part] = "award"
            elif part in ("org_id", "organization_id"):
                found[part] = self.unit.pk
            elif part == "poll_id":
                found[part] = self.first(Poll.objects.filter(year=self.year))
            elif part == "nomination_id":
                found[part] = self.nomination()
            elif part == "person_id":
                found[part] = self.person()
            else:
                raise AssertionError(f"say which object {name} points at ({part})")
        return found

    def signed_document(self) -> Any:
        """A signed version of the year's report (the demo signs nothing), made directly."""
        from django.core.files.base import ContentFile

        from thidua.signing.models import SignedDocument, SigningIdentity

        found = SignedDocument.objects.filter(year=self.year).first()
        if found is not None:
            return found
        now = dt.datetime.now(dt.UTC)
        identity = SigningIdentity.objects.create(
            owner_org=self.unit,
            backend="pkcs12",
            certificate_pem="-",
            fingerprint="0" * 64,
            subject_name="Ma trận quyền",
            not_before=now,
            not_after=now,
        )
        document = SignedDocument(
            kind="report",
            year=self.year,
            reference=f"{self.slug}/{self.year.year}/report",
            version=1,
            role="agency",
            identity=identity,
            signed_by=self.demo.secretariat,
            signed_at=now,
            sha256="0" * 64,
            size=8,
        )
        document.file.save("ma-tran.pdf", ContentFile(b"%PDF-1.7"), save=False)
        document.save()
        return document

    def sent_dossier(self) -> int:
        """A package the secretariat made (the demo sends none), stored directly."""
        from django.core.files.base import ContentFile

        from thidua.dossier.models import SentDossier

        found = SentDossier.objects.filter(year=self.year).first()
        if found is None:
            found = SentDossier(
                dossier_id="ma-tran-gui",
                year=self.year,
                sender=self.demo.secretariat.organization,
                receiver_name=self.demo.cluster.supervisor.name,
                package_sha256="0" * 64,
                manifest_sha256="0" * 64,
                created_by=self.demo.secretariat,
            )
            found.package.save("ma-tran.zip", ContentFile(b"PK"), save=False)
            found.save()
        return found.pk

    def received_dossier(self) -> Any:
        """A package the supervisor received and returned, with one file, stored directly."""
        from django.core.files.base import ContentFile

        from thidua.dossier.models import ReceivedDossier, ReceivedFile

        found = ReceivedDossier.objects.filter(dossier_id="ma-tran-nhan").first()
        if found is not None:
            return found
        found = ReceivedDossier(
            dossier_id="ma-tran-nhan",
            receiver=self.demo.cluster.supervisor,
            sender_name="Sở Kế hoạch và Đầu tư tỉnh Sơn La",
            leader_name="Ma trận quyền",
            cluster_name=self.demo.cluster.name,
            cluster_slug=self.slug,
            year=self.year.year,
            sent_at="2016-12-20T09:00:00+07:00",
            package_sha256="0" * 64,
            manifest_sha256="0" * 64,
            received_by=self.demo.supervisor,
        )
        found.package.save("ma-tran.zip", ContentFile(b"PK"), save=False)
        found.reply.save("tra-lai.zip", ContentFile(b"PK"), save=False)
        found.save()
        kept = ReceivedFile(
            dossier=found, path="to-trinh.pdf", role="proposal", size=8, sha256="0" * 64
        )
        kept.file.save("to-trinh.pdf", ContentFile(b"%PDF-1.7"), save=False)
        kept.save()
        return found

    def criterion(self) -> int:
        return self.first(Criterion.objects.filter(table__year=self.year))

    def article(self) -> int:
        return self.first(NewsArticle.objects.filter(year=self.year))

    def published_article(self) -> int:
        return self.first(NewsArticle.objects.filter(year=self.year, published_at__isnull=False))

    def nomination(self) -> int:
        """Lai Châu's nomination that has evidence attached."""
        return self.first(
            Nomination.objects.filter(year=self.year, unit=self.unit, files__isnull=False)
        )

    def person(self) -> int:
        return self.first(Person.objects.filter(positions__organization=self.unit))

    def notification(self) -> int:
        """One of Lai Châu's officer's notifications (the demo's phases tell the members)."""
        from thidua.notifications.models import Notification

        return self.first(Notification.objects.filter(recipient=self.users["officer"]))

    def webhook(self) -> int:
        """A webhook of Lai Châu's officer."""
        found, _created = Subscription.objects.get_or_create(
            owner=self.users["officer"],
            url="https://tdkt.laichau.example/hook",
            defaults={"secret": "s" * 64, "kinds": ["phase.opened"]},
        )
        return found.pk

    def decision(self) -> int:
        """A decision of the year (the demo stops before one is made), granting no one."""
        decision, _created = Decision.objects.get_or_create(
            year=self.year,
            number="1/QĐ-BKHĐT",
            sequence=1,
            date=dt.date(self.year.year + 1, 4, 10),
            defaults={
                "issuer_name": "Bộ Kế hoạch và Đầu tư",
                "signer_name": "Nguyễn Chí Dũng",
                "recorded_by": self.demo.supervisor,
            },
        )
        return decision.pk


def _pattern_of(name: str) -> str:
    def search(patterns: list[Any], prefix: str, namespace: str) -> str | None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                found = search(pattern.url_patterns, prefix + str(pattern.pattern), full)
                if found is not None:
                    return found
            elif isinstance(pattern, URLPattern):
                named = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if named == name:
                    return prefix + str(pattern.pattern)
        return None

    found = search(get_resolver().url_patterns, "", "")
    assert found is not None, name
    return found


def answer(response: Any) -> str:
    status = response.status_code
    if status == 302 and "/login/" in response["Location"]:
        return "login"  # ours, or the admin's own login page
    if status in (401, 403, 404, 405, 422, 500):
        return str(status)
    return "ok"


@pytest.fixture(scope="module")
def world(demo_module: Demo) -> World:
    """The demo played once for the test process; the module's changes are rolled back."""
    return World(demo_module)


def client_for(world: World, persona: str) -> Client:
    client = Client(raise_request_exception=False)
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    return client


def ask(world: World, persona: str, name: str, method: str, client: Client) -> str:
    headers = {}
    if world.users[persona] is not None and name.startswith("api:"):
        headers["Authorization"] = f"Bearer {world.tokens[persona]}"
    url = reverse(name, kwargs=world.kwargs(name))
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, headers=headers)
        elif name in API_BODIES:
            response = client.post(
                url, API_BODIES[name], content_type="application/json", headers=headers
            )
        else:
            response = client.post(url, headers=headers)
        transaction.set_rollback(True)
    return answer(response)


def test_every_url_has_a_decision_for_every_persona() -> None:
    table = expected_table()
    missing = [
        f"{name} {method}"
        for name in url_names()
        for method in ("GET", "POST")
        if (name, method) not in table
    ]
    stale = [f"{name} {method}" for name, method in table if name not in url_names()]
    assert not missing, "add these to EXPECTED, deciding who may open them:\n" + "\n".join(missing)
    assert not stale, "these URLs are gone; remove them from EXPECTED:\n" + "\n".join(stale)


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_gets_exactly_the_expected_answers(world: World, persona: str) -> None:
    table = expected_table()
    shared = client_for(world, persona)
    wrong = []
    # URLs the table does not list yet fail the test above, not each persona's.
    for name in sorted({name for name, _method in table} & set(url_names())):
        for method in ("GET", "POST"):
            # A fresh client each time: logging out or changing language must not carry over.
            client = client_for(world, persona) if name in ("logout", "set_language") else shared
            expected = table.get((name, method), {}).get(persona, "?")
            got = ask(world, persona, name, method, client)
            if got != expected:
                wrong.append(f"{name:34} {method:5} expected {expected:6} got {got}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)
