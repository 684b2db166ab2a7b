"""The AI Search data-plane objects of the Azure retrieval pipeline, as the JSON bodies users PUT with the
documented commands of docs/rag.md (`az rest --method put --url <search endpoint>/<kind>/<name>?api-version=...`):

- index: the vector search index (vector_search.index_definition) plus a `parent_id` field for the
  indexer's index projections and an Azure OpenAI vectorizer, so queries are embedded by the service with
  the same deployment as the documents;
- data source: the `documents` container, reached with the search service's own identity (no keys);
- skillset: split documents into chunks, embed each chunk with the embedding deployment (identity auth),
  project chunks into the index;
- indexer: data source -> skillset -> index, every 2 hours.
"""

from __future__ import annotations

import copy

from .vector_search import DOCUMENTS_CONTAINER, INDEX_NAME, VECTOR_FIELD, index_definition

API_VERSION = "2024-07-01"
NAMES = {"datasource": "documents", "skillset": "documents-chunks", "indexer": "documents"}
VECTORIZER = "openai"


def pipeline_names() -> dict[str, str]:
    return dict(NAMES)


def pipeline_definitions(spec, openai_endpoint: str, storage_account_id: str, embedding) -> dict:
    dimensions = spec.vector_search.dimensions
    openai = {
        "resourceUri": openai_endpoint.rstrip("/"),
        "deploymentId": "embedding",
        "modelName": embedding.model_id,
    }
    index = copy.deepcopy(index_definition(dimensions, spec.vector_search.metric))
    index["fields"][0]["analyzer"] = "keyword"  # projected chunk keys
    index["fields"].append({"name": "parent_id", "type": "Edm.String", "filterable": True})
    index["vectorSearch"]["vectorizers"] = [
        {"name": VECTORIZER, "kind": "azureOpenAI", "azureOpenAIParameters": openai}
    ]
    index["vectorSearch"]["profiles"][0]["vectorizer"] = VECTORIZER
    skillset = {
        "name": NAMES["skillset"],
        "skills": [
            {
                "@odata.type": "#Microsoft.Skills.Text.SplitSkill",
                "context": "/document",
                "textSplitMode": "pages",
                "maximumPageLength": 2000,
                "pageOverlapLength": 200,
                "inputs": [{"name": "text", "source": "/document/content"}],
                "outputs": [{"name": "textItems", "targetName": "pages"}],
            },
            {
                "@odata.type": "#Microsoft.Skills.Text.AzureOpenAIEmbeddingSkill",
                "context": "/document/pages/*",
                **openai,
                "dimensions": dimensions,
                "inputs": [{"name": "text", "source": "/document/pages/*"}],
                "outputs": [{"name": "embedding", "targetName": VECTOR_FIELD}],
            },
        ],
        "indexProjections": {
            "selectors": [{
                "targetIndexName": INDEX_NAME,
                "parentKeyFieldName": "parent_id",
                "sourceContext": "/document/pages/*",
                "mappings": [
                    {"name": "text", "source": "/document/pages/*"},
                    {"name": VECTOR_FIELD, "source": f"/document/pages/*/{VECTOR_FIELD}"},
                    {"name": "source_uri", "source": "/document/metadata_storage_path"},
                ],
            }],
            "parameters": {"projectionMode": "skipIndexingParentDocuments"},
        },
    }
    return {
        "api_version": API_VERSION,
        "index": index,
        "datasource": {
            "name": NAMES["datasource"],
            "type": "azureblob",
            "credentials": {"connectionString": f"ResourceId={storage_account_id};"},
            "container": {"name": DOCUMENTS_CONTAINER},
        },
        "skillset": skillset,
        "indexer": {
            "name": NAMES["indexer"],
            "dataSourceName": NAMES["datasource"],
            "skillsetName": NAMES["skillset"],
            "targetIndexName": INDEX_NAME,
            "schedule": {"interval": "PT2H"},
            "parameters": {"configuration": {"dataToExtract": "contentAndMetadata"}},
        },
    }
