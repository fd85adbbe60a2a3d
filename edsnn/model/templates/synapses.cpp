{# A zero-delay pathway's synaptic code: each presynaptic event's synapses are read in place from
   the pathway's per-neuron lists, in the order Brian2's spike queue would have copied them. #}
{% extends 'common_synapses.cpp' %}

{% block maincode %}
    // This is only needed for the _debugmsg function below
    {# USES_VARIABLES { _synaptic_pre } #}

    // scalar code
    const size_t _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    {% set _eventspace_variable = pathway.variables[pathway.eventspace_name] %}
    const int32_t* _events = {{get_array_name(_eventspace_variable, access_data=False)}};  // the global array
    const int32_t _num_events = _events[{{_eventspace_variable.size - 1}}];
    CSpikeQueue* _queue = {{pathway.name}}.queue[0];
    for(int _event=0; _event<_num_events; _event++)
    {
        const int32_t _source = _events[_event];
        if(_source < _queue->source_start || _source >= _queue->source_end)
            continue;
        const std::vector<int>& _synapses = _queue->synapses[_source - _queue->source_start];
        const size_t _num_synapses = _synapses.size();
        for(size_t _k=0; _k<_num_synapses; _k++)
        {
            const size_t _idx = _synapses[_k];
            const size_t _vectorisation_idx = _idx;
            {{vector_code|autoindent}}
        }
    }
{% endblock %}

{% block extra_functions_cpp %}
void _debugmsg_{{codeobj_name}}()
{
    using namespace brian;
    std::cout << "Number of synapses: " << {{_dynamic__synaptic_pre}}.size() << endl;
}
{% endblock %}

{% block extra_functions_h %}
void _debugmsg_{{codeobj_name}}();
{% endblock %}

{% macro main_finalise() -%}
#ifdef DEBUG
_debugmsg_{{codeobj_name}}();
#endif
{% endmacro %}
